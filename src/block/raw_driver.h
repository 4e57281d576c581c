// The raw format's FormatDriver (opening a RawNode, creation through the file protocol).
#pragma once

#include "block/driver.h"

namespace qemu::block {

const FormatDriver *raw_format_driver();

}  // namespace qemu::block
