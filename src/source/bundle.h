// Source: where the bytes of a bundle come from.
//
// expand_bundle() turns what the user named (folders, files, compressed files, archives) into an
// ordered list of Inputs: folders recursively (sorted, safe against symlink loops), rotated sets
// oldest first (access.log.2.gz, access.log.1, access.log), archive members read in place through
// libarchive (never extracted; member names are never used as paths to write). open_input()
// returns a ByteSource over the decompressed bytes. Not thread-safe; one Input per reader.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "rstscope/reader.h"

namespace rstscope {

struct Input {
  std::string display;     // path relative to the bundle root; members: ARCHIVE!/MEMBER
  std::string fs_path;     // the file on disk (the archive for members)
  std::string member;      // archive member name, empty for plain files
  bool compressed = false; // a single compressed file (.gz, .bz2, .xz, .zst)
  bool archive = false;    // fs_path is an archive and `member` one of its entries
  int64_t size = -1;       // on-disk size (members: uncompressed size when known)
  int64_t mtime_us = 0;    // modification time
};

struct ExpandResult {
  std::vector<Input> inputs;
  std::vector<std::string> warnings;  // "path: problem"
};

// `exclude` are absolute paths never to ingest (the output DB and its side files).
ExpandResult expand_bundle(const std::vector<std::string>& roots, const std::vector<std::string>& exclude);

// Rotation-aware sort key pieces, exposed for tests: "access.log.2.gz" -> {"access.log", 2}.
std::pair<std::string, int> rotation_key(const std::string& name);

// Opens the decompressed bytes of an input. Throws std::runtime_error with the reason on failure.
std::unique_ptr<ByteSource> open_input(const Input& in);

// Visits every entry of an archive in archive order with a ByteSource over its bytes; the source
// is valid only during the callback. Returns the error text ("" when the archive was read fully).
std::string for_each_member(const std::string& archive_path,
                            const std::function<void(const std::string& member, int64_t size,
                                                     int64_t mtime_us, ByteSource& bytes)>& fn);

bool is_archive_name(const std::string& name);
bool is_compressed_name(const std::string& name);
// The name without a compression suffix: "access.log.2.gz" -> "access.log.2".
std::string strip_compression(const std::string& name);

}  // namespace rstscope
