// What the qemu-img subcommands share: QEMU's error exits, option-scanning helpers, opening
// images as qemu-img does (probing, --image-opts, -U, cache modes), block status through a
// backing chain, progress reporting and the image information printers.
#pragma once

#include <getopt.h>

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "base/error.h"
#include "base/opts.h"
#include "base/qjson.h"
#include "block/driver.h"
#include "block/node.h"

namespace qemu::img {

enum class OutputFormat { kHuman, kJson };

// "qemu-img: <msg>\nTry 'qemu-img --help' for more information" and exit 1.
[[noreturn]] void error_exit(std::string_view msg);
[[noreturn]] void unrecognized_option(const char *option);
[[noreturn]] void missing_argument(const char *option);

// Handles the getopt_long results every subcommand treats alike ('?', ':', 'h').
// Returns false if the caller should handle c itself.
bool handle_common_getopt(int c, char **argv);

// Parses --output's argument. Reports QEMU's message and returns false when it is neither
// human nor json (each subcommand decides when it checks, as QEMU does).
bool parse_output_format(const char *arg, OutputFormat *out);

// printf unless quiet (QEMU's qprintf).
void qprintf(bool quiet, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

// QEMU's cvtnum: a size argument with suffixes; reports and returns a negative value on error.
int64_t cvtnum_full(const char *name, const char *value, int64_t min, int64_t max);
int64_t cvtnum(const char *name, const char *value);

// Appends -o's argument to the accumulated option string; reports "Invalid option list".
bool accumulate_options(std::string *options, const char *arg);
// Whether a comma-separated option list contains "help" or "?".
bool has_help_option(std::string_view options);

// QEMU's cache mode names (none/off, writeback, writethrough, directsync, unsafe).
bool parse_cache(const char *mode, block::CacheMode *out);

void print_help();

// ---- --object ----

// Creates a user object from --object's argument as QEMU's tools do (keyval syntax, qom-type
// implied): validates it with QEMU's messages, reporting them and exiting with status 1, and
// keeps secrets for the drivers. "help" lists the object types (exit 0).
void user_creatable_add(const char *optarg, int fail_status = 1);
// The bytes of a secret object by id, or null.
const std::string *find_secret(std::string_view id);

// ---- Opening images ----

struct ImgOpenOptions {
  bool image_opts = false;  // the filename is an option string (--image-opts)
  std::string fmt;          // empty: probe
  bool writable = false;
  bool no_backing = false;
  bool force_share = false;
  bool check = false;     // qemu-img check (QEMU's BDRV_O_CHECK)
  bool no_io = false;     // qemu-img info (QEMU's BDRV_O_NO_IO)
  bool no_share = false;  // convert's sources (QEMU's BDRV_O_NO_SHARE): nobody may write
  bool resize = false;    // qemu-img resize: the "resize" permission is taken
  block::CacheMode cache = block::CacheMode::kWriteback;
};

// Opens an image as qemu-img's img_open does and reports failures as
// "Could not open '<filename>': <reason>". Returns null on failure.
std::unique_ptr<block::Node> img_open(const std::string &filename, const ImgOpenOptions &o);

// Opens filename with a format (empty: probe) and node options; err gets the bare reason
// (without the "Could not open" prefix qemu-img adds). Prints QEMU's warning when a writable
// image was probed as raw. *probed_format receives the format used, if non-null.
std::unique_ptr<block::Node> open_node(const std::string &filename, const std::string &fmt,
                                       const block::OptionMap &node_opts,
                                       const block::OpenFlags &flags, Error *err);

// The flat options of an --image-opts string or a json: filename (dotted keys) split into
// the format (empty: probe), the file name and the remaining node options, with QEMU's
// errors; force-share is taken out (conflicting with -U if it says off).
bool resolve_image_opts(block::OptionMap flat, std::string *fmt, std::string *filename,
                        block::OptionMap *opts, bool *force_share, Error *err);

// The name QEMU gives an image opened from options (--image-opts, json:): its file's name, or
// a json: filename when options change what the node reads (raw offset/size).
std::string image_display_name(const block::Node *node);

// A name for an anonymous node as QEMU generates them ("#block123"), shown in some messages.
std::string anonymous_node_name();

// Probes a file's format from its first bytes, as bdrv_open does without a driver.
std::string probe_image_format(const std::string &filename, Error *err);

// The creation options of a format merged with the protocol's (file) options, or null if
// the format is unknown (*known false) or cannot create images (*known true).
bool create_opts_for(const std::string &fmt, OptsList *out, bool *known);
// Creates an image from parsed options (format driver, or the file protocol for "file").
int create_with_driver(const std::string &filename, const std::string &fmt, const Opts &opts,
                       Error *err);
// Formats QEMU knows to write compressed clusters.
bool format_can_compress(std::string_view fmt);

// ---- Block status through a backing chain ----

// QEMU's BDRV_BLOCK_* bits, for compare -s which compares whole status words.
enum StatusBits : unsigned {
  kStatusData = 0x01,
  kStatusZero = 0x02,
  kStatusOffsetValid = 0x04,
  kStatusAllocated = 0x10,
  kStatusEof = 0x20,
};

struct ChainStatus {
  uint64_t bytes = 0;
  bool data = false;
  bool zero = false;
  bool allocated = false;
  bool offset_valid = false;
  bool eof = false;
  uint64_t offset = 0;
  block::Node *file = nullptr;
  int depth = 0;  // layers consulted (1: the top one)
  unsigned bits() const;
};

// The status of one layer as bdrv_block_status reports it: unallocated ranges read as zero
// when there is no backing file or past the backing file's end. bytes 0 past the layer's end.
int layer_status(block::Node *node, uint64_t offset, uint64_t bytes, ChainStatus *st);
// bdrv_block_status_above(top, base): the first layer from top down to (excluding) base that
// defines the range.
int status_above(block::Node *top, block::Node *base, uint64_t offset, uint64_t bytes,
                 ChainStatus *st);
// bdrv_is_allocated_above(top, base, false, ...): 1 if allocated in a layer above base.
int is_allocated_above(block::Node *top, block::Node *base, uint64_t offset, uint64_t bytes,
                       uint64_t *pnum);

// A zero-filled buffer aligned for O_DIRECT I/O (cache modes none and directsync).
class AlignedBuffer {
 public:
  explicit AlignedBuffer(size_t size);
  ~AlignedBuffer();
  AlignedBuffer(const AlignedBuffer &) = delete;
  AlignedBuffer &operator=(const AlignedBuffer &) = delete;
  uint8_t *data() { return data_; }
  size_t size() const { return size_; }

 private:
  uint8_t *data_ = nullptr;
  size_t size_ = 0;
};

// Whether a buffer is all zeroes.
bool buffer_is_zero(const void *buf, size_t len);

// QEMU's compare_buffers: whether the first sector differs, and in *pnum how many bytes from
// the start (in 512-byte steps) share that state.
bool compare_buffers(const uint8_t *a, const uint8_t *b, int64_t bytes, int64_t *pnum);

// ---- Progress ("    (xx.xx/100%)\r") ----

void progress_init(bool enabled, float min_skip);
void progress_print(float delta, int max);
void progress_end();

// ---- Image information (qemu-img info and friends) ----

// bdrv_query_image_info: everything info shows about one layer.
int query_image_info(block::Node *node, const std::string &filename, block::ImageInfo *info,
                     Error *err);
Json image_info_json(const block::ImageInfo &info);
void dump_human_image_info(const block::ImageInfo &info);
// The snapshot table of info and snapshot -l.
void print_snapshot_header();
void print_snapshot_line(const block::SnapshotInfo &sn);
// The "Format specific information:" body derived from {"type", "data"}.
void dump_format_specific(const Json &format_specific);

// A size as "1 MiB" (qemu-img's size_to_str).
std::string human_size(uint64_t bytes);

// Subcommands: each returns the process exit status.
int img_amend(int argc, char **argv);
int img_bench(int argc, char **argv);
int img_bitmap(int argc, char **argv);
int img_check(int argc, char **argv);
int img_commit(int argc, char **argv);
int img_compare(int argc, char **argv);
int img_convert(int argc, char **argv);
int img_create(int argc, char **argv);
int img_dd(int argc, char **argv);
int img_info(int argc, char **argv);
int img_map(int argc, char **argv);
int img_measure(int argc, char **argv);
int img_snapshot(int argc, char **argv);
int img_rebase(int argc, char **argv);
int img_resize(int argc, char **argv);

}  // namespace qemu::img
