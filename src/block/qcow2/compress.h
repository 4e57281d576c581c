// Cluster compression for qcow2: zlib (raw deflate, 4 KiB window) and zstd (frames without a
// length prefix), with the parameters QEMU uses so compressed clusters are byte-identical.
#pragma once

#include <cstddef>
#include <cstdint>

namespace qemu::block::qcow2 {

// Compresses src into dest. Returns the compressed size, -ENOMEM if it does not fit in
// dest_size, or -EIO.
long compress_cluster(uint8_t type, uint8_t *dest, size_t dest_size, const uint8_t *src,
                      size_t src_size);

// Decompresses exactly dest_size bytes (the input length is only known to sector precision,
// so trailing input is ignored). Returns 0 or -EIO.
int decompress_cluster(uint8_t type, uint8_t *dest, size_t dest_size, const uint8_t *src,
                       size_t src_size);

}  // namespace qemu::block::qcow2
