// qemu-img measure for qcow2: the file size an image needs with given creation options, empty
// of data (required) and fully allocated, computed as QEMU computes it.
#include <cerrno>
#include <cstring>

#include "block/qcow2/create_params.h"
#include "block/qcow2/qcow2_node.h"
#include "block/qcow2/refcount.h"

namespace qemu::block::qcow2 {
namespace {

uint64_t round_up(uint64_t v, uint64_t a) {
  return (v + a - 1) / a * a;
}

// Header, L2 and L1 tables, refcount structures and data for a fully allocated image.
uint64_t prealloc_size(uint64_t total, uint64_t cs, int refcount_order, bool extended_l2) {
  uint64_t l2e = extended_l2 ? 16 : 8;
  uint64_t aligned = round_up(total, cs);
  uint64_t meta = cs;
  uint64_t nl2e = round_up(aligned / cs, cs / l2e);
  meta += nl2e * l2e;
  uint64_t nl1e = round_up(nl2e * l2e / cs, cs / 8);
  meta += nl1e * 8;
  meta += refcount_metadata_size((meta + aligned) / cs, cs, refcount_order, false, nullptr);
  return meta + aligned;
}

// Block status through the whole backing chain (as bdrv_block_status_above with no base).
int status_above(Node *n, uint64_t off, uint64_t bytes, BlockStatus *st) {
  int r = n->block_status(off, bytes, st);
  if (r < 0) return r;
  if (st->data && !st->zero && st->has_offset && st->file && st->file != n) {
    // Data whose place in the file is a hole (metadata preallocation, sparse data files)
    // reads as zeroes and needs no room, as QEMU finds by asking the protocol layer.
    int64_t flen = st->file->length();
    BlockStatus fst;
    if (flen >= 0 && st->offset >= static_cast<uint64_t>(flen)) {
      st->zero = true;
    } else if (flen >= 0 && st->file->block_status(st->offset, st->bytes, &fst) == 0 && fst.bytes) {
      st->bytes = std::min(st->bytes, fst.bytes);
      st->zero = fst.zero;
    }
  }
  if (st->allocated || !n->backing()) return 0;
  Node *b = n->backing();
  int64_t blen = b->length();
  if (blen < 0) return static_cast<int>(blen);
  if (off >= static_cast<uint64_t>(blen)) {
    st->zero = true;
    return 0;
  }
  BlockStatus bst;
  r = status_above(b, off, std::min<uint64_t>(st->bytes, static_cast<uint64_t>(blen) - off), &bst);
  if (r < 0) return r;
  *st = bst;
  return 0;
}

}  // namespace

int qcow2_measure(const Opts &opts, Node *src, MeasureResult *out, Error *err) {
  CreateParams p;
  if (!parse_create_params(opts, &p, err)) return -EINVAL;
  uint64_t cs = uint64_t{1} << p.cluster_bits;
  uint64_t vsize = round_up(p.size, cs);
  uint64_t l2e = p.extended_l2 ? 16 : 8;
  uint64_t l2_tables = (vsize / cs + cs / l2e - 1) / (cs / l2e);
  if (l2_tables * 8 > kMaxL1Bytes) {
    *err = Error::make("The image size is too large (try using a larger cluster size)");
    return -EFBIG;
  }
  uint64_t required = 0;
  if (src) {
    int64_t ssize = src->length();
    if (ssize < 0) {
      *err =
          Error::make("Unable to get image virtual_size: {}", strerror(static_cast<int>(-ssize)));
      return static_cast<int>(ssize);
    }
    vsize = round_up(static_cast<uint64_t>(ssize), cs);
    if (!p.backing_file.empty()) {
      required = vsize;  // nothing known to be shared with the new backing file
    } else {
      uint64_t size = static_cast<uint64_t>(ssize);
      for (uint64_t off = 0; off < size;) {
        BlockStatus st;
        int r = status_above(src, off, size - off, &st);
        if (r < 0) {
          *err = Error::make("Unable to get block status: {}", strerror(-r));
          return r;
        }
        uint64_t pnum = st.bytes;
        if (pnum == 0) break;
        if (!st.zero && st.data && st.allocated) {
          pnum = round_up(off + pnum, cs) - off;  // whole clusters
          required += off % cs + pnum;
        }
        off += pnum;
      }
    }
  }
  if (p.prealloc == Prealloc::kFull || p.prealloc == Prealloc::kFalloc) required = vsize;
  out->fully_allocated = prealloc_size(vsize, cs, p.refcount_order, p.extended_l2);
  out->required = out->fully_allocated - vsize + required;
  // Bitmaps are reported when source and target could both hold persistent ones; all of the
  // source's persistent bitmaps count (qcow2_bitmap.cc).
  out->has_bitmaps = p.version >= 3 && src && src->supports_persistent_bitmaps();
  out->bitmaps = out->has_bitmaps ? bitmaps_measure(src, cs) : 0;
  return 0;
}

}  // namespace qemu::block::qcow2
