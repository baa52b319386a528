#include "source/bundle.h"

#include <archive.h>
#include <archive_entry.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <map>
#include <set>
#include <stdexcept>

#include "rstscope/text.h"

namespace fs = std::filesystem;

namespace rstscope {
namespace {

const char* kCompressed[] = {".gz", ".bz2", ".xz", ".zst", ".lz4"};
const char* kArchives[] = {".tar", ".tar.gz", ".tgz", ".tar.bz2", ".tbz2", ".tar.xz", ".txz", ".tar.zst", ".zip"};

class FdSource : public ByteSource {
 public:
  explicit FdSource(const std::string& path) : path_(path) {
    fd_ = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd_ < 0) throw std::runtime_error(std::string("cannot open: ") + std::strerror(errno));
  }
  ~FdSource() override {
    if (fd_ >= 0) ::close(fd_);
  }
  long read(char* buf, size_t n) override {
    for (;;) {
      ssize_t r = ::read(fd_, buf, n);
      if (r < 0 && errno == EINTR) continue;
      if (r < 0) err_ = std::strerror(errno);
      return long(r);
    }
  }
  std::string error() const override { return err_; }

 private:
  std::string path_;
  int fd_ = -1;
  std::string err_;
};

// Reads the data of the current entry of an open libarchive handle.
class ArchiveEntrySource : public ByteSource {
 public:
  explicit ArchiveEntrySource(archive* a) : a_(a) {}
  long read(char* buf, size_t n) override {
    la_ssize_t r = archive_read_data(a_, buf, n);
    if (r < 0) {
      const char* e = archive_error_string(a_);
      err_ = e ? e : "read error";
      return -1;
    }
    return long(r);
  }
  std::string error() const override { return err_; }

 private:
  archive* a_;
  std::string err_;
};

// Owns a libarchive handle opened on a single compressed file (raw format).
class CompressedSource : public ByteSource {
 public:
  explicit CompressedSource(const std::string& path) {
    a_ = archive_read_new();
    archive_read_support_filter_all(a_);
    archive_read_support_format_raw(a_);
    if (archive_read_open_filename(a_, path.c_str(), 1 << 16) != ARCHIVE_OK) {
      std::string e = archive_error_string(a_) ? archive_error_string(a_) : "cannot open";
      archive_read_free(a_);
      throw std::runtime_error(e);
    }
    archive_entry* entry;
    if (archive_read_next_header(a_, &entry) != ARCHIVE_OK) {
      std::string e = archive_error_string(a_) ? archive_error_string(a_) : "not a compressed file";
      archive_read_free(a_);
      throw std::runtime_error(e);
    }
    inner_ = std::make_unique<ArchiveEntrySource>(a_);
  }
  ~CompressedSource() override { archive_read_free(a_); }
  long read(char* buf, size_t n) override { return inner_->read(buf, n); }
  std::string error() const override { return inner_->error(); }

 private:
  archive* a_ = nullptr;
  std::unique_ptr<ArchiveEntrySource> inner_;
};

bool has_suffix_ci(const std::string& s, const char* suf) {
  size_t n = std::strlen(suf);
  return s.size() > n && iequals(std::string_view(s).substr(s.size() - n), suf);
}

int64_t mtime_of(const fs::path& p) {
  struct stat st;
  if (::stat(p.c_str(), &st) != 0) return 0;
  return int64_t(st.st_mtim.tv_sec) * 1000000 + st.st_mtim.tv_nsec / 1000;
}

std::string relative_display(const fs::path& root_parent, const fs::path& p) {
  std::error_code ec;
  fs::path rel = fs::relative(p, root_parent, ec);
  if (ec || rel.empty()) rel = p;
  return rel.generic_string();
}

}  // namespace

bool is_archive_name(const std::string& name) {
  for (const char* s : kArchives)
    if (has_suffix_ci(name, s)) return true;
  return false;
}

bool is_compressed_name(const std::string& name) {
  if (is_archive_name(name)) return false;
  for (const char* s : kCompressed)
    if (has_suffix_ci(name, s)) return true;
  return false;
}

std::string strip_compression(const std::string& name) {
  for (const char* s : kCompressed)
    if (has_suffix_ci(name, s)) return name.substr(0, name.size() - std::strlen(s));
  return name;
}

std::pair<std::string, int> rotation_key(const std::string& name) {
  std::string base = strip_compression(name);
  size_t dot = base.rfind('.');
  if (dot != std::string::npos && dot + 1 < base.size()) {
    int64_t n;
    if (parse_int(std::string_view(base).substr(dot + 1), n) && n >= 0 && n < 100000)
      return {base.substr(0, dot), int(n)};
  }
  return {base, 0};
}

static void sort_rotation_aware(std::vector<fs::path>& files) {
  std::sort(files.begin(), files.end(), [](const fs::path& a, const fs::path& b) {
    if (a.parent_path() != b.parent_path()) return a.parent_path() < b.parent_path();
    auto ka = rotation_key(a.filename().string());
    auto kb = rotation_key(b.filename().string());
    if (ka.first != kb.first) return ka.first < kb.first;
    if (ka.second != kb.second) return ka.second > kb.second;  // higher rotation = older = first
    return a.filename() < b.filename();
  });
}

std::string for_each_member(const std::string& path,
                            const std::function<void(const std::string&, int64_t, int64_t, ByteSource&)>& fn) {
  archive* a = archive_read_new();
  archive_read_support_filter_all(a);
  archive_read_support_format_all(a);
  if (archive_read_open_filename(a, path.c_str(), 1 << 16) != ARCHIVE_OK) {
    std::string e = archive_error_string(a) ? archive_error_string(a) : "cannot open archive";
    archive_read_free(a);
    return e;
  }
  std::string error;
  archive_entry* entry;
  for (;;) {
    int r = archive_read_next_header(a, &entry);
    if (r == ARCHIVE_EOF) break;
    if (r == ARCHIVE_WARN) {
      // keep going: a warning concerns this header only
    } else if (r != ARCHIVE_OK) {
      error = archive_error_string(a) ? archive_error_string(a) : "archive read error";
      break;
    }
    if (archive_entry_filetype(entry) != AE_IFREG) continue;
    const char* name = archive_entry_pathname(entry);
    int64_t size = archive_entry_size_is_set(entry) ? archive_entry_size(entry) : -1;
    int64_t mt = archive_entry_mtime_is_set(entry)
                     ? int64_t(archive_entry_mtime(entry)) * 1000000 + archive_entry_mtime_nsec(entry) / 1000
                     : 0;
    ArchiveEntrySource src(a);
    fn(name ? name : "", size, mt, src);
  }
  archive_read_free(a);
  return error;
}

ExpandResult expand_bundle(const std::vector<std::string>& roots, const std::vector<std::string>& exclude) {
  ExpandResult out;
  std::set<std::string> excluded;
  for (const auto& e : exclude) {
    std::error_code ec;
    fs::path c = fs::weakly_canonical(e, ec);
    excluded.insert(ec ? e : c.string());
  }
  auto is_excluded = [&](const fs::path& p) {
    std::error_code ec;
    fs::path c = fs::weakly_canonical(p, ec);
    std::string s = ec ? p.string() : c.string();
    if (excluded.count(s)) return true;
    for (const auto& e : excluded)
      if (starts_with(s, e + "-") || starts_with(s, e + ".partial") || starts_with(s, e + ".fts.partial"))
        return true;  // -journal, -wal, .partial, the full-text build file
    return false;
  };
  auto add_file = [&](const fs::path& p, const fs::path& base) {
    if (is_excluded(p)) return;
    Input in;
    in.fs_path = p.string();
    in.display = relative_display(base, p);
    std::error_code ec;
    in.size = int64_t(fs::file_size(p, ec));
    if (ec) in.size = -1;
    in.mtime_us = mtime_of(p);
    std::string name = p.filename().string();
    if (is_archive_name(name)) {
      in.archive = true;
      std::vector<Input> members;
      std::vector<std::string> bad_names;
      std::string err = for_each_member(in.fs_path, [&](const std::string& m, int64_t size, int64_t mt, ByteSource&) {
        Input mi = in;
        mi.member = m;
        mi.size = size;
        mi.mtime_us = mt ? mt : in.mtime_us;
        mi.display = in.display + "!/" + m;
        if (m.find("..") != std::string::npos || (!m.empty() && m[0] == '/'))
          bad_names.push_back(m);
        members.push_back(std::move(mi));
      });
      for (const auto& b : bad_names)
        out.warnings.push_back(in.display + ": archive member name '" + b +
                               "' points outside the archive; it is read in place, never written");
      if (!err.empty()) out.warnings.push_back(in.display + ": " + err + " (members before the error are read)");
      std::stable_sort(members.begin(), members.end(), [](const Input& a, const Input& b) {
        fs::path pa(a.member), pb(b.member);
        if (pa.parent_path() != pb.parent_path()) return pa.parent_path() < pb.parent_path();
        auto ka = rotation_key(pa.filename().string()), kb = rotation_key(pb.filename().string());
        if (ka.first != kb.first) return ka.first < kb.first;
        return ka.second > kb.second;
      });
      for (auto& m : members) out.inputs.push_back(std::move(m));
      return;
    }
    in.compressed = is_compressed_name(name);
    out.inputs.push_back(std::move(in));
  };

  std::vector<size_t> root_of;  // root index of each input, to tell same-named files apart
  auto mark_root = [&](size_t r) {
    while (root_of.size() < out.inputs.size()) root_of.push_back(r);
  };
  for (size_t ri = 0; ri < roots.size(); ++ri) {
    const std::string& root = roots[ri];
    mark_root(ri == 0 ? 0 : ri - 1);
    fs::path rp(root);
    std::error_code ec;
    fs::file_status st = fs::status(rp, ec);
    if (ec || !fs::exists(st)) {
      out.warnings.push_back(root + ": does not exist");
      continue;
    }
    if (fs::is_regular_file(st)) {
      // A single file: its display path is its name.
      add_file(rp, rp.parent_path().empty() ? fs::path(".") : rp.parent_path());
      continue;
    }
    if (!fs::is_directory(st)) {
      out.warnings.push_back(root + ": not a regular file or folder");
      continue;
    }
    // Walk with a visited set of (device, inode) so symlinked folders cannot loop.
    std::set<std::pair<dev_t, ino_t>> visited;
    std::vector<fs::path> files;
    std::vector<fs::path> stack{rp};
    size_t guard = 0;
    while (!stack.empty() && ++guard < 1000000) {
      fs::path dir = stack.back();
      stack.pop_back();
      struct stat sst;
      if (::stat(dir.c_str(), &sst) != 0) {
        out.warnings.push_back(relative_display(rp, dir) + ": cannot read folder: " + std::strerror(errno));
        continue;
      }
      if (!visited.insert({sst.st_dev, sst.st_ino}).second) continue;  // loop or already seen
      std::vector<fs::path> subdirs;
      fs::directory_iterator it(dir, fs::directory_options::skip_permission_denied, ec);
      if (ec) {
        out.warnings.push_back(relative_display(rp, dir) + ": cannot list folder: " + ec.message());
        continue;
      }
      for (const auto& de : it) {
        std::error_code e2;
        fs::file_status s = de.status(e2);  // follows symlinks
        if (e2 || !fs::exists(s)) {
          std::error_code e3;
          if (fs::is_symlink(de.symlink_status(e3))) {
            // A dangling link (or a file that vanished): it still gets a sources row, where the
            // ingest names the problem (unreadable), rather than only a warning.
            files.push_back(de.path());
            continue;
          }
          out.warnings.push_back(relative_display(rp, de.path()) + ": " + (e2 ? e2.message() : "vanished"));
          continue;
        }
        if (fs::is_directory(s)) subdirs.push_back(de.path());
        else if (fs::is_regular_file(s)) files.push_back(de.path());
      }
      std::sort(subdirs.rbegin(), subdirs.rend());
      for (auto& s : subdirs) stack.push_back(s);
    }
    sort_rotation_aware(files);
    for (const auto& f : files) add_file(f, rp);
  }
  mark_root(roots.empty() ? 0 : roots.size() - 1);
  // Two roots that hold the same relative path (`ingest a/nginx b/nginx`, or two access.log given
  // as files) would give two sources the same name: their paths are then prefixed with their
  // root's folder relative to the roots' common ancestor ("a/nginx/access.log",
  // "b/nginx/access.log"), so every evidence line names one file.
  std::map<std::string, std::set<size_t>> roots_of_display;
  for (size_t i = 0; i < out.inputs.size(); ++i) roots_of_display[out.inputs[i].display].insert(root_of[i]);
  std::vector<fs::path> root_dirs;
  for (const std::string& r : roots) {
    std::error_code ec;
    fs::path c = fs::weakly_canonical(fs::path(r), ec);
    if (ec) c = fs::absolute(fs::path(r), ec);
    root_dirs.push_back(fs::is_directory(c, ec) ? c : c.parent_path());
  }
  fs::path common = root_dirs.empty() ? fs::path() : root_dirs.front();
  for (const fs::path& d : root_dirs) {
    fs::path c;
    auto a = common.begin(), b = d.begin();
    for (; a != common.end() && b != d.end() && *a == *b; ++a, ++b) c /= *a;
    common = c;
  }
  for (size_t i = 0; i < out.inputs.size(); ++i) {
    Input& in = out.inputs[i];
    if (roots_of_display[in.display].size() < 2) continue;
    std::string prefix = fs::path(root_dirs[root_of[i]]).lexically_relative(common).generic_string();
    if (prefix.empty() || prefix == ".") prefix = "root" + std::to_string(root_of[i] + 1);
    in.display = prefix + "/" + in.display;
  }
  return out;
}

std::unique_ptr<ByteSource> open_input(const Input& in) {
  if (in.archive) throw std::logic_error("archive members are read with for_each_member");
  if (in.compressed) return std::make_unique<CompressedSource>(in.fs_path);
  return std::make_unique<FdSource>(in.fs_path);
}

}  // namespace rstscope
