// qemu-img snapshot [--object objectdef] [--image-opts] [-U] [-q]
//                   [-l | -a snapshot | -c snapshot | -d snapshot] filename
#include <sys/time.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "tools/qemu-img/img_common.h"

namespace qemu::img {
namespace {

enum class Action { kNone, kList, kApply, kCreate, kDelete };

void dump_snapshots(block::Node *node) {
  std::vector<block::SnapshotInfo> sns;
  if (node->snapshot_list(&sns) < 0 || sns.empty()) return;
  printf("Snapshot list:\n");
  print_snapshot_header();
  printf("\n");
  for (const auto &sn : sns) {
    print_snapshot_line(sn);
    printf("\n");
  }
}

// bdrv_snapshot_find: by name only (unlike -a, which also takes an id).
bool find_snapshot(block::Node *node, const std::string &name, block::SnapshotInfo *out) {
  std::vector<block::SnapshotInfo> sns;
  if (node->snapshot_list(&sns) < 0) return false;
  for (const auto &sn : sns) {
    if (sn.name == name) {
      *out = sn;
      return true;
    }
  }
  return false;
}

}  // namespace

int img_snapshot(int argc, char **argv) {
  enum { kOptObject = 256, kOptImageOpts };
  static const struct option long_options[] = {
      {"help", no_argument, nullptr, 'h'},
      {"object", required_argument, nullptr, kOptObject},
      {"image-opts", no_argument, nullptr, kOptImageOpts},
      {"force-share", no_argument, nullptr, 'U'},
      {nullptr, 0, nullptr, 0},
  };
  Action action = Action::kNone;
  std::string snapshot_name;
  bool image_opts = false, force_share = false, writable = true;
  int c;
  while ((c = getopt_long(argc, argv, ":la:c:d:hqU", long_options, nullptr)) != -1) {
    Action a = Action::kNone;
    switch (c) {
      case 'l':
        a = Action::kList;
        break;
      case 'a':
        a = Action::kApply;
        break;
      case 'c':
        a = Action::kCreate;
        break;
      case 'd':
        a = Action::kDelete;
        break;
      case 'q':
        break;  // nothing is printed but errors anyway
      case 'U':
        force_share = true;
        break;
      case kOptImageOpts:
        image_opts = true;
        break;
      case kOptObject:
        user_creatable_add(optarg);
        break;
      default:
        handle_common_getopt(c, argv);
    }
    if (a != Action::kNone) {
      if (action != Action::kNone) error_exit("Cannot mix '-l', '-a', '-c', '-d'");
      action = a;
      if (a == Action::kList) {
        writable = false;
      } else {
        snapshot_name = optarg;
      }
    }
  }
  if (optind != argc - 1) error_exit("Expecting one image file name");
  std::string filename = argv[optind];

  ImgOpenOptions o;
  o.image_opts = image_opts;
  o.writable = writable;
  o.force_share = force_share;
  auto node = img_open(filename, o);
  if (!node) return 1;

  int ret = 0;
  Error err;
  switch (action) {
    case Action::kNone:
      break;
    case Action::kList:
      dump_snapshots(node.get());
      break;
    case Action::kCreate: {
      block::SnapshotInfo sn;
      sn.name = snapshot_name;
      struct timeval tv;
      gettimeofday(&tv, nullptr);
      sn.date_sec = static_cast<uint32_t>(tv.tv_sec);
      sn.date_nsec = static_cast<uint32_t>(tv.tv_usec * 1000);
      sn.has_icount = true;
      sn.icount = 0;
      ret = node->snapshot_create(sn, &err);
      if (ret) {
        error_report("Could not create snapshot '{}': {} ({})", snapshot_name, ret, strerror(-ret));
      }
      break;
    }
    case Action::kApply: {
      // bdrv_snapshot_goto refuses a node with any dirty bitmap (enabled or not) first.
      std::vector<block::BitmapInfo> bitmaps;
      if (node->bitmap_list(&bitmaps) == 0 && !bitmaps.empty()) {
        error_report("Could not apply snapshot '{}': Device has active dirty bitmaps",
                     snapshot_name);
        ret = -EBUSY;
        break;
      }
      ret = node->snapshot_goto(snapshot_name, &err);
      if (ret) {
        if (ret == -ENOTSUP && std::string(node->driver_name()) == "raw") {
          // QEMU closes and reopens the raw layer around its file's (failed) snapshot goto,
          // which repeats the probing warning of a writable raw image.
          Error perr;
          if (o.fmt.empty() && !image_opts && probe_image_format(filename, &perr) == "raw") {
            fprintf(stderr,
                    "WARNING: Image format was not specified for '%s' and probing guessed raw.\n"
                    "         Automatically detecting the format is dangerous for raw images, "
                    "write operations on block 0 will be restricted.\n"
                    "         Specify the 'raw' format explicitly to remove the restrictions.\n",
                    filename.c_str());
          }
          err = Error::make("Block driver does not support snapshots");
        }
        error_report("Could not apply snapshot '{}': {}", snapshot_name, err.msg);
      }
      break;
    }
    case Action::kDelete: {
      block::SnapshotInfo sn;
      if (!find_snapshot(node.get(), snapshot_name, &sn)) {
        error_report("Could not delete snapshot '{}': snapshot not found", snapshot_name);
        ret = 1;
        break;
      }
      ret = node->snapshot_delete(sn.id, sn.name, &err);
      if (ret < 0) {
        error_report("Could not delete snapshot '{}': {}", snapshot_name, err.msg);
        ret = 1;
      }
      break;
    }
  }
  return ret ? 1 : 0;
}

}  // namespace qemu::img
