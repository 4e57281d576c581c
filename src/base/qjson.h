// JSON output exactly as QEMU prints it (qemu-img --output=json, QMP): dictionaries iterate in
// the order of QEMU's QDict hash table, not insertion order, and strings are escaped QEMU's way.
// Values are built with nlohmann::ordered_json in QAPI field order; the printer reorders.
#pragma once

#include <nlohmann/json.hpp>

#include <string>
#include <string_view>
#include <vector>

namespace qemu {

using Json = nlohmann::ordered_json;

// "Pretty" form (4-space indentation) as qemu-img --output=json prints.
std::string qjson_pretty(const Json &v);
// Compact form as QMP sends: {"a": 1, "b": [1, 2]}.
std::string qjson_compact(const Json &v);

// The order in which a QDict built by inserting `keys` in this order iterates.
std::vector<size_t> qdict_order(const std::vector<std::string> &keys);

// A string literal in QEMU's JSON escaping.
std::string qjson_string(std::string_view s);

}  // namespace qemu
