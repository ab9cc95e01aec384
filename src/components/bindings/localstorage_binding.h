#pragma once
// bindings.localstorage: an output binding over the files of one directory, as Dapr's component
// of that type behaves.
//
// Component metadata: `rootPath` (required; created with its parents when missing; /proc, /sys,
// /boot and /var/run/secrets are refused as Dapr refuses them).
//
// Operations, with the per-call metadata `fileName` (a path relative to rootPath; '/' separates
// directories):
//   create  writes the data to fileName (a random UUID when absent), creating directories on the
//           way. Data that is a JSON string is stored as its text, and text that is valid
//           standard base64 as the bytes it encodes (Dapr's detection of binary uploads).
//           Answers {"fileName":"<name>"} and the same name in the response metadata `fileName`.
//           The file is replaced atomically and both it and its directory are synced before
//           the call returns: an acknowledged create survives a crash.
//   get     the file's bytes; NotFound when there is no such file.
//   list    a JSON array of the names of every file beneath rootPath (or beneath the directory
//           fileName), relative to rootPath, sorted.
//   delete  removes the file (synced); NotFound when there is no such file.
//
// Every name stays under rootPath: absolute names and `..` components are refused, and no
// symbolic link is ever followed (each component is opened relative to its directory with
// O_NOFOLLOW), so a link cannot lead outside either. Those refusals are InvalidArgument.

#include <memory>

#include "dapr/binding.h"
#include "dapr/component.h"

namespace wasmdapr::components {

Result<std::unique_ptr<dapr::OutputBinding>, dapr::Error> make_localstorage_binding(
    const dapr::ComponentSpec& spec);

}  // namespace wasmdapr::components
