#include "block/qcow2/compress.h"

#include <zlib.h>
#include <zstd.h>

#include <cerrno>

#include "block/qcow2/format.h"

namespace qemu::block::qcow2 {
namespace {

long zlib_compress(uint8_t *dest, size_t dest_size, const uint8_t *src, size_t src_size) {
  z_stream strm{};
  if (deflateInit2(&strm, Z_DEFAULT_COMPRESSION, Z_DEFLATED, -12, 9, Z_DEFAULT_STRATEGY) != Z_OK)
    return -EIO;
  strm.next_in = const_cast<uint8_t *>(src);
  strm.avail_in = static_cast<uInt>(src_size);
  strm.next_out = dest;
  strm.avail_out = static_cast<uInt>(dest_size);
  int r = deflate(&strm, Z_FINISH);
  long out = r == Z_STREAM_END ? static_cast<long>(dest_size - strm.avail_out)
                               : (r == Z_OK ? -ENOMEM : -EIO);
  deflateEnd(&strm);
  return out;
}

int zlib_decompress(uint8_t *dest, size_t dest_size, const uint8_t *src, size_t src_size) {
  z_stream strm{};
  if (inflateInit2(&strm, -12) != Z_OK) return -EIO;
  strm.next_in = const_cast<uint8_t *>(src);
  strm.avail_in = static_cast<uInt>(src_size);
  strm.next_out = dest;
  strm.avail_out = static_cast<uInt>(dest_size);
  int r = inflate(&strm, Z_FINISH);
  // The input may run past the compressed stream; a full output buffer is success.
  bool ok = (r == Z_STREAM_END || r == Z_BUF_ERROR) && strm.avail_out == 0;
  inflateEnd(&strm);
  return ok ? 0 : -EIO;
}

long zstd_compress(uint8_t *dest, size_t dest_size, const uint8_t *src, size_t src_size) {
  ZSTD_CCtx *cctx = ZSTD_createCCtx();
  if (!cctx) return -ENOMEM;
  ZSTD_inBuffer in{src, src_size, 0};
  ZSTD_outBuffer out{dest, dest_size, 0};
  long result;
  for (;;) {
    size_t r = ZSTD_compressStream2(cctx, &out, &in, ZSTD_e_end);
    if (ZSTD_isError(r)) {
      result = -EIO;
      break;
    }
    if (r == 0) {
      result = static_cast<long>(out.pos);
      break;
    }
    if (out.pos == out.size) {  // more to write but no room
      result = -ENOMEM;
      break;
    }
  }
  ZSTD_freeCCtx(cctx);
  return result;
}

int zstd_decompress(uint8_t *dest, size_t dest_size, const uint8_t *src, size_t src_size) {
  ZSTD_DCtx *dctx = ZSTD_createDCtx();
  if (!dctx) return -ENOMEM;
  ZSTD_inBuffer in{src, src_size, 0};
  ZSTD_outBuffer out{dest, dest_size, 0};
  int result = -EIO;
  // Several frames may follow each other; stop when the cluster is full.
  while (out.pos < out.size) {
    size_t last_in = in.pos, last_out = out.pos;
    size_t r = ZSTD_decompressStream(dctx, &out, &in);
    if (ZSTD_isError(r)) break;
    if (out.pos == out.size) {
      result = 0;
      break;
    }
    if (in.pos == in.size || (in.pos == last_in && out.pos == last_out)) break;
  }
  ZSTD_freeDCtx(dctx);
  return result;
}

}  // namespace

long compress_cluster(uint8_t type, uint8_t *dest, size_t dest_size, const uint8_t *src,
                      size_t src_size) {
  switch (type) {
    case kCompressionZlib:
      return zlib_compress(dest, dest_size, src, src_size);
    case kCompressionZstd:
      return zstd_compress(dest, dest_size, src, src_size);
    default:
      return -EIO;
  }
}

int decompress_cluster(uint8_t type, uint8_t *dest, size_t dest_size, const uint8_t *src,
                       size_t src_size) {
  switch (type) {
    case kCompressionZlib:
      return zlib_decompress(dest, dest_size, src, src_size);
    case kCompressionZstd:
      return zstd_decompress(dest, dest_size, src, src_size);
    default:
      return -EIO;
  }
}

}  // namespace qemu::block::qcow2
