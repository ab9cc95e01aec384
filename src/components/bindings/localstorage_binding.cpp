#include "components/bindings/localstorage_binding.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <optional>
#include <string_view>
#include <utility>

#include "dapr/json_view.h"

namespace wasmdapr::components {
namespace {

using dapr::Error;

// Temporary files of an unfinished create start with this; list never shows them.
constexpr std::string_view kTempPrefix = ".wasmdapr-tmp-";

Error invalid(std::string message) {
  return Error{Error::Code::InvalidArgument, std::move(message)};
}
Error not_found(const std::string& name) {
  return Error{Error::Code::NotFound, "file not found: " + name};
}
Error system_error(const std::string& what, int error) {
  return Error{Error::Code::Internal, what + ": " + std::strerror(error)};
}

// An owned file descriptor.
class Fd {
 public:
  Fd() = default;
  explicit Fd(int fd) : fd_(fd) {}
  Fd(Fd&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}
  Fd& operator=(Fd&& other) noexcept {
    if (this != &other) {
      reset();
      fd_ = std::exchange(other.fd_, -1);
    }
    return *this;
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  ~Fd() { reset(); }

  int get() const { return fd_; }
  bool valid() const { return fd_ >= 0; }
  int release() { return std::exchange(fd_, -1); }

 private:
  void reset() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
  }
  int fd_ = -1;
};

struct DirCloser {
  void operator()(DIR* dir) const { ::closedir(dir); }
};

std::string random_hex(size_t bytes) {
  std::string raw(bytes, '\0');
  size_t filled = 0;
  while (filled < bytes) {
    ssize_t n = ::getrandom(raw.data() + filled, bytes - filled, 0);
    if (n > 0) filled += static_cast<size_t>(n);
  }
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string hex;
  for (unsigned char c : raw) {
    hex += kDigits[c >> 4];
    hex += kDigits[c & 15];
  }
  return hex;
}

// A random (version 4) UUID, Dapr's name for a file created without fileName.
std::string random_uuid() {
  std::string hex = random_hex(16);
  hex[12] = '4';
  static constexpr char kVariant[] = "89ab";
  hex[16] = kVariant[std::string_view("0123456789abcdef").find(hex[16]) & 3];
  return hex.substr(0, 8) + "-" + hex.substr(8, 4) + "-" + hex.substr(12, 4) + "-" +
         hex.substr(16, 4) + "-" + hex.substr(20);
}

int base64_value(char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '+') return 62;
  if (c == '/') return 63;
  return -1;
}

// Standard padded base64 (line breaks ignored), or nothing when the text is not exactly that.
std::optional<std::string> decode_base64(std::string_view text) {
  std::string chars;
  for (char c : text) {
    if (c != '\r' && c != '\n') chars += c;
  }
  if (chars.size() % 4 != 0) return std::nullopt;
  std::string out;
  for (size_t i = 0; i < chars.size(); i += 4) {
    bool last = i + 4 == chars.size();
    int v[4];
    int padding = 0;
    for (int j = 0; j < 4; ++j) {
      char c = chars[i + j];
      if (c == '=' && last && j >= 2) {
        v[j] = 0;
        ++padding;
        continue;
      }
      if (padding > 0) return std::nullopt;  // data after padding
      v[j] = base64_value(c);
      if (v[j] < 0) return std::nullopt;
    }
    uint32_t group =
        (uint32_t(v[0]) << 18) | (uint32_t(v[1]) << 12) | (uint32_t(v[2]) << 6) | uint32_t(v[3]);
    out += static_cast<char>(group >> 16);
    if (padding < 2) out += static_cast<char>((group >> 8) & 0xff);
    if (padding < 1) out += static_cast<char>(group & 0xff);
  }
  return out;
}

// The bytes a create stores: a JSON string becomes its text, and base64 text its bytes.
std::string file_content(const std::string& data) {
  std::string content = data;
  if (auto json = dapr::JsonView::parse(data); json && json->is_string()) {
    content = json->string();
  }
  if (auto decoded = decode_base64(content)) return *decoded;
  return content;
}

// A name's components, checked to stay beneath the root ("." and empty components dropped).
Result<std::vector<std::string>, Error> split_name(const std::string& name) {
  if (name.find('\0') != std::string::npos) return unexpected(invalid("fileName contains NUL"));
  if (name.starts_with('/')) {
    return unexpected(
        invalid("fileName '" + name + "' is absolute; it must be relative to rootPath"));
  }
  std::vector<std::string> parts;
  size_t start = 0;
  while (start <= name.size()) {
    size_t end = name.find('/', start);
    if (end == std::string::npos) end = name.size();
    std::string part = name.substr(start, end - start);
    if (part == "..") {
      return unexpected(
          invalid("fileName '" + name + "' contains '..'; names stay under rootPath"));
    }
    if (!part.empty() && part != ".") parts.push_back(std::move(part));
    start = end + 1;
  }
  return parts;
}

std::string join(const std::vector<std::string>& parts, size_t count) {
  std::string joined;
  for (size_t i = 0; i < count; ++i) joined += (i ? "/" : "") + parts[i];
  return joined;
}

Error symlink_refused(const std::string& name) {
  return invalid("'" + name +
                 "' is a symbolic link; links are not followed, so names stay under rootPath");
}

bool is_symlink_at(int dir, const std::string& part) {
  struct stat st {};
  return ::fstatat(dir, part.c_str(), &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISLNK(st.st_mode);
}

class LocalStorageBinding final : public dapr::OutputBinding {
 public:
  explicit LocalStorageBinding(Fd root) : root_(std::move(root)) {}

  std::vector<std::string> operations() const override {
    return {"create", "get", "list", "delete"};
  }

  Result<dapr::BindingResponse, Error> invoke(const dapr::BindingRequest& request) override {
    auto it = request.metadata.find("fileName");
    std::string name = it == request.metadata.end() ? "" : it->second;
    if (request.operation == "create") return create(name.empty() ? random_uuid() : name, request);
    if (request.operation == "list") return list(name);
    if (request.operation == "get" || request.operation == "delete") {
      if (name.empty()) {
        return unexpected(invalid(request.operation + " needs the metadata fileName"));
      }
      return request.operation == "get" ? get(name) : remove(name);
    }
    return unexpected(invalid("unsupported operation " + request.operation +
                              "; bindings.localstorage supports create, get, list, delete"));
  }

 private:
  // Opens the directory made of the first `count` components, each without following links;
  // `create` makes missing ones (and syncs the directory that gained an entry).
  Result<Fd, Error> open_directory(const std::vector<std::string>& parts, size_t count,
                                   bool create) const {
    // A new open file description, not a dup: a dup would share the root's directory offset, and
    // a listing would start where the last one ended.
    Fd dir(::openat(root_.get(), ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (!dir.valid()) return unexpected(system_error("cannot use rootPath", errno));
    for (size_t i = 0; i < count; ++i) {
      const std::string& part = parts[i];
      int flags = O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC;
      int fd = ::openat(dir.get(), part.c_str(), flags);
      if (fd < 0 && errno == ENOENT && create) {
        if (::mkdirat(dir.get(), part.c_str(), 0777) != 0 && errno != EEXIST) {
          return unexpected(system_error("cannot create directory " + join(parts, i + 1), errno));
        }
        ::fsync(dir.get());
        fd = ::openat(dir.get(), part.c_str(), flags);
      }
      if (fd < 0) {
        int error = errno;
        if (error == ELOOP || is_symlink_at(dir.get(), part)) {
          return unexpected(symlink_refused(join(parts, i + 1)));
        }
        if (error == ENOENT) return unexpected(not_found(join(parts, parts.size())));
        if (error == ENOTDIR) {
          return unexpected(invalid("'" + join(parts, i + 1) + "' is not a directory"));
        }
        return unexpected(system_error("cannot open " + join(parts, i + 1), error));
      }
      dir = Fd(fd);
    }
    return dir;
  }

  Result<dapr::BindingResponse, Error> create(const std::string& requested,
                                              const dapr::BindingRequest& request) const {
    auto parts = split_name(requested);
    if (!parts) return unexpected(parts.error());
    if (parts->empty()) return unexpected(invalid("fileName '" + requested + "' names no file"));
    std::string name = join(*parts, parts->size());
    const std::string& leaf = parts->back();
    if (leaf.starts_with(kTempPrefix)) {
      return unexpected(
          invalid("file names starting with " + std::string(kTempPrefix) + " are reserved"));
    }
    auto dir = open_directory(*parts, parts->size() - 1, /*create=*/true);
    if (!dir) return unexpected(dir.error());

    // Write beside the target and rename over it: readers see the old file or the new one,
    // never a torn one, and the data is on disk before the name points at it.
    std::string temp = std::string(kTempPrefix) + random_hex(8);
    Fd file(::openat(dir->get(), temp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
                     0666));
    if (!file.valid()) return unexpected(system_error("cannot create " + name, errno));
    auto discard = [&](const std::string& what, int error) {
      ::unlinkat(dir->get(), temp.c_str(), 0);
      return unexpected(system_error(what + " " + name, error));
    };
    std::string content = file_content(request.data);
    size_t written = 0;
    while (written < content.size()) {
      ssize_t n = ::write(file.get(), content.data() + written, content.size() - written);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) return discard("cannot write", errno);
      written += static_cast<size_t>(n);
    }
    if (::fsync(file.get()) != 0) return discard("cannot sync", errno);
    if (::close(file.release()) != 0) return discard("cannot write", errno);
    if (::renameat(dir->get(), temp.c_str(), dir->get(), leaf.c_str()) != 0) {
      int error = errno;
      if (error == EISDIR) {
        ::unlinkat(dir->get(), temp.c_str(), 0);
        return unexpected(invalid("'" + name + "' is a directory"));
      }
      return discard("cannot create", error);
    }
    if (::fsync(dir->get()) != 0) return unexpected(system_error("cannot sync " + name, errno));

    dapr::BindingResponse response;
    response.data = R"({"fileName":)" + dapr::JsonView::quote(name) + "}";
    response.metadata["fileName"] = name;
    return response;
  }

  Result<dapr::BindingResponse, Error> get(const std::string& requested) const {
    auto parts = split_name(requested);
    if (!parts) return unexpected(parts.error());
    if (parts->empty()) return unexpected(invalid("fileName '" + requested + "' names no file"));
    std::string name = join(*parts, parts->size());
    auto dir = open_directory(*parts, parts->size() - 1, /*create=*/false);
    if (!dir) return unexpected(dir.error());
    Fd file(::openat(dir->get(), parts->back().c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC));
    if (!file.valid()) {
      int error = errno;
      if (error == ENOENT) return unexpected(not_found(name));
      if (error == ELOOP) return unexpected(symlink_refused(name));
      return unexpected(system_error("cannot open " + name, error));
    }
    struct stat st {};
    if (::fstat(file.get(), &st) != 0)
      return unexpected(system_error("cannot stat " + name, errno));
    if (!S_ISREG(st.st_mode)) return unexpected(invalid("'" + name + "' is not a file"));
    dapr::BindingResponse response;
    char buffer[64 * 1024];
    for (;;) {
      ssize_t n = ::read(file.get(), buffer, sizeof buffer);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) return unexpected(system_error("cannot read " + name, errno));
      if (n == 0) break;
      response.data.append(buffer, static_cast<size_t>(n));
    }
    return response;
  }

  Result<dapr::BindingResponse, Error> remove(const std::string& requested) const {
    auto parts = split_name(requested);
    if (!parts) return unexpected(parts.error());
    if (parts->empty()) return unexpected(invalid("fileName '" + requested + "' names no file"));
    std::string name = join(*parts, parts->size());
    auto dir = open_directory(*parts, parts->size() - 1, /*create=*/false);
    if (!dir) return unexpected(dir.error());
    if (::unlinkat(dir->get(), parts->back().c_str(), 0) != 0) {
      int error = errno;
      if (error == ENOENT) return unexpected(not_found(name));
      if (error == EISDIR) return unexpected(invalid("'" + name + "' is a directory"));
      return unexpected(system_error("cannot delete " + name, error));
    }
    if (::fsync(dir->get()) != 0) return unexpected(system_error("cannot sync " + name, errno));
    return dapr::BindingResponse{};
  }

  Result<dapr::BindingResponse, Error> list(const std::string& requested) const {
    auto parts = split_name(requested);
    if (!parts) return unexpected(parts.error());
    auto dir = open_directory(*parts, parts->size(), /*create=*/false);
    if (!dir) return unexpected(dir.error());
    std::vector<std::string> names;
    if (auto walked = walk(std::move(*dir), join(*parts, parts->size()), names); !walked) {
      return unexpected(walked.error());
    }
    std::sort(names.begin(), names.end());
    dapr::BindingResponse response;
    response.data = "[";
    for (size_t i = 0; i < names.size(); ++i) {
      response.data += (i ? "," : "") + dapr::JsonView::quote(names[i]);
    }
    response.data += "]";
    return response;
  }

  // Adds the regular files beneath `dir` (named `prefix`) to `names`; links are not followed.
  static Result<void, Error> walk(Fd dir, const std::string& prefix,
                                  std::vector<std::string>& names) {
    int fd = dir.get();
    std::unique_ptr<DIR, DirCloser> stream(::fdopendir(fd));
    if (!stream) return unexpected(system_error("cannot list " + prefix, errno));
    dir.release();  // the stream owns it now
    while (dirent* entry = ::readdir(stream.get())) {
      std::string child = entry->d_name;
      if (child == "." || child == ".." || child.starts_with(kTempPrefix)) continue;
      struct stat st {};
      if (::fstatat(fd, child.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) continue;
      std::string path = prefix.empty() ? child : prefix + "/" + child;
      if (S_ISREG(st.st_mode)) {
        names.push_back(std::move(path));
      } else if (S_ISDIR(st.st_mode)) {
        Fd sub(::openat(fd, child.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
        if (!sub.valid()) continue;  // removed meanwhile, or replaced by a link
        if (auto walked = walk(std::move(sub), path, names); !walked) return walked;
      }
    }
    return {};
  }

  Fd root_;
};

bool inside(const std::filesystem::path& path, const std::filesystem::path& base) {
  auto [base_end, _] = std::mismatch(base.begin(), base.end(), path.begin(), path.end());
  return base_end == base.end();
}

}  // namespace

Result<std::unique_ptr<dapr::OutputBinding>, dapr::Error> make_localstorage_binding(
    const dapr::ComponentSpec& spec) {
  auto it = spec.metadata.find("rootPath");
  if (it == spec.metadata.end() || it->second.empty()) {
    return unexpected(invalid("rootPath is required"));
  }
  std::error_code ec;
  std::filesystem::path root = std::filesystem::absolute(it->second, ec).lexically_normal();
  if (ec) return unexpected(invalid("rootPath '" + it->second + "': " + ec.message()));
  std::filesystem::create_directories(root, ec);
  if (ec) {
    return unexpected(invalid("rootPath '" + it->second + "' cannot be created: " + ec.message()));
  }
  std::filesystem::path resolved = std::filesystem::canonical(root, ec);
  if (ec) return unexpected(invalid("rootPath '" + it->second + "': " + ec.message()));
  // The kernel's and the orchestrator's files are never a binding's to serve.
  for (const char* refused : {"/proc", "/sys", "/boot", "/var/run/secrets", "/run/secrets"}) {
    if (inside(resolved, refused)) {
      return unexpected(invalid("rootPath '" + it->second + "' points into " + refused +
                                ", which is not allowed"));
    }
  }
  Fd fd(::open(resolved.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!fd.valid()) {
    return unexpected(invalid("rootPath '" + it->second +
                              "' cannot be opened as a directory: " + std::strerror(errno)));
  }
  return std::unique_ptr<dapr::OutputBinding>(std::make_unique<LocalStorageBinding>(std::move(fd)));
}

}  // namespace wasmdapr::components
