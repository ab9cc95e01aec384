#pragma once
// Path resolution confined beneath a directory descriptor: the sandbox's core.
//
// openat2(2) with RESOLVE_BENEATH is used where the kernel has it; otherwise a
// component-by-component walk (O_NOFOLLOW at every step, `..` never above the start,
// symlinks expanded by hand and resolved relative to where they sit) does the same.
// Escapes fail with EXDEV, which the WASI layer reports as ENOTCAPABLE.

#include <string>
#include <string_view>

namespace wasmdapr::wasi {

// Opens `path` beneath `dirfd`. The final component's symlink is followed only when
// `follow_final`. Returns a new descriptor, or -errno.
int open_beneath(int dirfd, std::string_view path, int flags, unsigned mode, bool follow_final);

// The same by the component walk alone, as on kernels without openat2: public so that tests
// can hold both ways to the same answers on any kernel.
int open_beneath_by_walk(int dirfd, std::string_view path, int flags, unsigned mode,
                         bool follow_final);

// The directory that contains the final component of `path` (opened beneath `dirfd`, with
// O_PATH), and that component's name. `name` is "." for an empty path. Returns the parent
// descriptor, or -errno.
int open_parent_beneath(int dirfd, std::string_view path, std::string& name);

}  // namespace wasmdapr::wasi
