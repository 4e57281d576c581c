#include <gtest/gtest.h>
TEST(X64Ops, Placeholder) {}
