# Sources of the qcow2 driver (included by src/block/CMakeLists.txt).
set(BLOCK_QCOW2_SOURCES
  compress.cc create_params.cc qcow2_amend.cc qcow2_bitmap.cc qcow2_bitmap_data.cc format.cc qcow2_driver.cc qcow2_info.cc qcow2_make_empty.cc qcow2_measure.cc qcow2_metadata.cc qcow2_open.cc
  qcow2_check.cc qcow2_read.cc qcow2_resize.cc qcow2_snapshot.cc qcow2_write.cc refcount.cc table_cache.cc)
