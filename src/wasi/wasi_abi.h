#pragma once
// Constants and layouts of wasi_snapshot_preview1 (errno, filetypes, flags, rights).

#include <sys/stat.h>

#include <cstdint>

namespace wasmdapr::wasi {

// errno
enum Errno : uint16_t {
  kSuccess = 0,
  k2Big = 1,
  kAcces = 2,
  kAddrInUse = 3,
  kAddrNotAvail = 4,
  kAfNoSupport = 5,
  kAgain = 6,
  kAlready = 7,
  kBadf = 8,
  kBadMsg = 9,
  kBusy = 10,
  kCanceled = 11,
  kChild = 12,
  kConnAborted = 13,
  kConnRefused = 14,
  kConnReset = 15,
  kDeadlk = 16,
  kDestAddrReq = 17,
  kDom = 18,
  kDquot = 19,
  kExist = 20,
  kFault = 21,
  kFbig = 22,
  kHostUnreach = 23,
  kIdrm = 24,
  kIlseq = 25,
  kInProgress = 26,
  kIntr = 27,
  kInval = 28,
  kIo = 29,
  kIsConn = 30,
  kIsDir = 31,
  kLoop = 32,
  kMfile = 33,
  kMlink = 34,
  kMsgSize = 35,
  kMultihop = 36,
  kNameTooLong = 37,
  kNetDown = 38,
  kNetReset = 39,
  kNetUnreach = 40,
  kNfile = 41,
  kNoBufs = 42,
  kNoDev = 43,
  kNoEnt = 44,
  kNoExec = 45,
  kNoLck = 46,
  kNoLink = 47,
  kNoMem = 48,
  kNoMsg = 49,
  kNoProtoOpt = 50,
  kNoSpc = 51,
  kNoSys = 52,
  kNotConn = 53,
  kNotDir = 54,
  kNotEmpty = 55,
  kNotRecoverable = 56,
  kNotSock = 57,
  kNotSup = 58,
  kNotTty = 59,
  kNxio = 60,
  kOverflow = 61,
  kOwnerDead = 62,
  kPerm = 63,
  kPipe = 64,
  kProto = 65,
  kProtoNoSupport = 66,
  kProtoType = 67,
  kRange = 68,
  kRofs = 69,
  kSpipe = 70,
  kSrch = 71,
  kStale = 72,
  kTimedOut = 73,
  kTxtBsy = 74,
  kXdev = 75,
  kNotCapable = 76,
};

// Maps a host errno value to WASI's.
Errno errno_of(int host_errno);

// filetype
inline constexpr uint8_t kFiletypeUnknown = 0, kFiletypeBlockDevice = 1,
                         kFiletypeCharacterDevice = 2, kFiletypeDirectory = 3,
                         kFiletypeRegularFile = 4, kFiletypeSocketDgram = 5,
                         kFiletypeSocketStream = 6, kFiletypeSymbolicLink = 7;

inline uint8_t filetype_of(mode_t mode) {
  if (S_ISREG(mode)) return kFiletypeRegularFile;
  if (S_ISDIR(mode)) return kFiletypeDirectory;
  if (S_ISCHR(mode)) return kFiletypeCharacterDevice;
  if (S_ISBLK(mode)) return kFiletypeBlockDevice;
  if (S_ISLNK(mode)) return kFiletypeSymbolicLink;
  if (S_ISSOCK(mode)) return kFiletypeSocketStream;
  return kFiletypeUnknown;
}

// fdflags, oflags, lookupflags, fstflags
inline constexpr uint16_t kFdflagAppend = 1, kFdflagDsync = 2, kFdflagNonblock = 4,
                          kFdflagRsync = 8, kFdflagSync = 16;
inline constexpr uint16_t kOflagCreat = 1, kOflagDirectory = 2, kOflagExcl = 4, kOflagTrunc = 8;
inline constexpr uint32_t kLookupSymlinkFollow = 1;
inline constexpr uint16_t kFstAtim = 1, kFstAtimNow = 2, kFstMtim = 4, kFstMtimNow = 8;

// rights
inline constexpr uint64_t kRightFdDatasync = 1ull << 0, kRightFdRead = 1ull << 1,
                          kRightFdSeek = 1ull << 2, kRightFdFdstatSetFlags = 1ull << 3,
                          kRightFdSync = 1ull << 4, kRightFdTell = 1ull << 5,
                          kRightFdWrite = 1ull << 6, kRightFdAdvise = 1ull << 7,
                          kRightFdAllocate = 1ull << 8, kRightPathCreateDirectory = 1ull << 9,
                          kRightPathCreateFile = 1ull << 10, kRightPathLinkSource = 1ull << 11,
                          kRightPathLinkTarget = 1ull << 12, kRightPathOpen = 1ull << 13,
                          kRightFdReaddir = 1ull << 14, kRightPathReadlink = 1ull << 15,
                          kRightPathRenameSource = 1ull << 16, kRightPathRenameTarget = 1ull << 17,
                          kRightPathFilestatGet = 1ull << 18,
                          kRightPathFilestatSetSize = 1ull << 19,
                          kRightPathFilestatSetTimes = 1ull << 20, kRightFdFilestatGet = 1ull << 21,
                          kRightFdFilestatSetSize = 1ull << 22,
                          kRightFdFilestatSetTimes = 1ull << 23, kRightPathSymlink = 1ull << 24,
                          kRightPathRemoveDirectory = 1ull << 25, kRightPathUnlinkFile = 1ull << 26,
                          kRightPollFdReadwrite = 1ull << 27, kRightSockShutdown = 1ull << 28,
                          kRightSockAccept = 1ull << 29;
inline constexpr uint64_t kRightsAll = (1ull << 30) - 1;
// Rights that change the file system or a file's contents.
inline constexpr uint64_t kRightsWriting =
    kRightFdDatasync | kRightFdWrite | kRightFdAllocate | kRightFdSync | kRightPathCreateDirectory |
    kRightPathCreateFile | kRightPathLinkSource | kRightPathLinkTarget | kRightPathRenameSource |
    kRightPathRenameTarget | kRightPathFilestatSetSize | kRightPathFilestatSetTimes |
    kRightFdFilestatSetSize | kRightFdFilestatSetTimes | kRightPathSymlink |
    kRightPathRemoveDirectory | kRightPathUnlinkFile;
inline constexpr uint64_t kRightsDirectory =
    kRightsAll & ~(kRightFdRead | kRightFdWrite | kRightFdSeek | kRightFdTell);
inline constexpr uint64_t kRightsDirectoryReadOnly = kRightsDirectory & ~kRightsWriting;
inline constexpr uint64_t kRightsReadOnlyInherited = kRightsAll & ~kRightsWriting;
inline constexpr uint64_t kRightsRegularFile =
    kRightFdDatasync | kRightFdRead | kRightFdSeek | kRightFdFdstatSetFlags | kRightFdSync |
    kRightFdTell | kRightFdWrite | kRightFdAdvise | kRightFdAllocate | kRightFdFilestatGet |
    kRightFdFilestatSetSize | kRightFdFilestatSetTimes | kRightPollFdReadwrite;
inline constexpr uint64_t kRightsStdin =
    kRightFdRead | kRightFdFdstatSetFlags | kRightFdFilestatGet | kRightPollFdReadwrite;
inline constexpr uint64_t kRightsStdout = kRightFdWrite | kRightFdFdstatSetFlags |
                                          kRightFdFilestatGet | kRightPollFdReadwrite |
                                          kRightFdDatasync | kRightFdSync;

}  // namespace wasmdapr::wasi
