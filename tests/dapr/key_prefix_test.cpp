// Dapr's key scheme: the prefix each keyPrefix setting gives, and the keys it refuses.
#include "dapr/key_prefix.h"

#include <gtest/gtest.h>

#include <cstdlib>

namespace wasmdapr::dapr {
namespace {

ComponentSpec store(std::string key_prefix_setting = "", std::string setting_name = "keyPrefix") {
  ComponentSpec spec;
  spec.name = "orders";
  spec.type = "state.in-memory";
  if (!key_prefix_setting.empty()) spec.metadata[setting_name] = key_prefix_setting;
  return spec;
}

TEST(KeyPrefix, TheAppIdByDefault) {
  EXPECT_EQ(KeyPrefix(store(), "myapp").apply("k"), "myapp||k");
  EXPECT_EQ(KeyPrefix(store("appid"), "myapp").apply("k"), "myapp||k");
}

TEST(KeyPrefix, TheStoreNameOrNothing) {
  EXPECT_EQ(KeyPrefix(store("name"), "myapp").apply("k"), "orders||k");
  EXPECT_EQ(KeyPrefix(store("none"), "myapp").apply("k"), "k");
}

TEST(KeyPrefix, ACustomPrefixIsLowerCasedAsDaprDoes) {
  EXPECT_EQ(KeyPrefix(store("Shared"), "myapp").apply("k"), "shared||k");
  EXPECT_EQ(KeyPrefix(store("NAME"), "myapp").apply("k"), "orders||k");
}

TEST(KeyPrefix, TheSettingNameIsCaseInsensitive) {
  EXPECT_EQ(KeyPrefix(store("none", "KEYPREFIX"), "myapp").apply("k"), "k");
}

TEST(KeyPrefix, NamespaceQualifiesTheAppIdWhenOneIsSet) {
  ::unsetenv("NAMESPACE");
  EXPECT_EQ(KeyPrefix(store("namespace"), "myapp").apply("k"), "myapp||k");
  ::setenv("NAMESPACE", "prod", 1);
  EXPECT_EQ(KeyPrefix(store("namespace"), "myapp").apply("k"), "prod.myapp||k");
  ::unsetenv("NAMESPACE");
}

TEST(KeyPrefix, RefusesEmptyKeysAndTheSeparator) {
  KeyPrefix prefix(store(), "myapp");
  EXPECT_FALSE(prefix.apply(""));
  EXPECT_FALSE(prefix.apply("a||b"));
  EXPECT_EQ(prefix.strip("myapp||k"), "k");
  EXPECT_EQ(prefix.prefix(), "myapp||");
}

}  // namespace
}  // namespace wasmdapr::dapr
