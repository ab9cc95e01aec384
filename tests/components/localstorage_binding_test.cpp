// bindings.localstorage: create/get/list/delete as Dapr's component answers them, data decoding,
// durability by atomic replacement, and names confined under rootPath (no `..`, no absolute
// names, no symbolic links followed).
#include "components/bindings/localstorage_binding.h"

#include <gtest/gtest.h>
#include <stdlib.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "components/registry.h"
#include "support/scratch_dir.h"

namespace wasmdapr::components {
namespace {

namespace fs = std::filesystem;
using Code = dapr::Error::Code;

std::string read_file(const fs::path& path) {
  std::ifstream file(path, std::ios::binary);
  std::ostringstream text;
  text << file.rdbuf();
  return text.str();
}

void write_file(const fs::path& path, const std::string& content) {
  std::ofstream(path, std::ios::binary) << content;
}

class LocalStorageBindingTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_FALSE(dir_.empty());
    root_ = dir_ / "root";
    fs::create_directories(root_);
    binding_ = make(root_.string());
  }

  static std::unique_ptr<dapr::OutputBinding> make(const std::string& root) {
    dapr::ComponentSpec spec;
    spec.name = "files";
    spec.type = "bindings.localstorage";
    spec.metadata["rootPath"] = root;
    auto made = make_localstorage_binding(spec);
    EXPECT_TRUE(made) << made.error().message;
    return made ? std::move(*made) : nullptr;
  }

  Result<dapr::BindingResponse, dapr::Error> call(std::string operation, std::string data = "",
                                                  dapr::Metadata metadata = {}) {
    return binding_->invoke(
        dapr::BindingRequest{std::move(operation), std::move(data), std::move(metadata)});
  }
  Result<dapr::BindingResponse, dapr::Error> named(std::string operation, std::string name,
                                                   std::string data = "") {
    return call(std::move(operation), std::move(data), {{"fileName", std::move(name)}});
  }

  wasmdapr::testing::ScratchDir scratch_{"localstorage"};
  const fs::path& dir_ = scratch_.path();
  fs::path root_;
  std::unique_ptr<dapr::OutputBinding> binding_;
};

TEST_F(LocalStorageBindingTest, RootPathIsRequiredAndCreatedWhenMissing) {
  dapr::ComponentSpec spec;
  spec.type = "bindings.localstorage";
  auto missing = make_localstorage_binding(spec);
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code, Code::InvalidArgument);
  EXPECT_NE(missing.error().message.find("rootPath"), std::string::npos);

  fs::path deep = dir_ / "a" / "b" / "c";
  ASSERT_NE(make(deep.string()), nullptr);
  EXPECT_TRUE(fs::is_directory(deep));
}

TEST_F(LocalStorageBindingTest, SystemDirectoriesAreRefusedAsRoots) {
  dapr::ComponentSpec spec;
  spec.type = "bindings.localstorage";
  spec.metadata["rootPath"] = "/proc/self";
  auto made = make_localstorage_binding(spec);
  ASSERT_FALSE(made);
  EXPECT_EQ(made.error().code, Code::InvalidArgument);
}

TEST_F(LocalStorageBindingTest, RegisteredUnderItsDaprType) {
  EXPECT_TRUE(builtin_registry().knows("bindings.localstorage"));
  std::vector<std::string> ops = binding_->operations();
  EXPECT_EQ(ops, (std::vector<std::string>{"create", "get", "list", "delete"}));
  auto r = call("truncate");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Code::InvalidArgument);
}

TEST_F(LocalStorageBindingTest, CreateAnswersTheNameAndGetReadsTheFileBack) {
  auto created = named("create", "my-test-file.txt", "raw bytes \x01\x02");
  ASSERT_TRUE(created) << created.error().message;
  EXPECT_EQ(created->data, R"({"fileName":"my-test-file.txt"})");
  EXPECT_EQ(created->metadata.at("fileName"), "my-test-file.txt");
  EXPECT_EQ(read_file(root_ / "my-test-file.txt"), "raw bytes \x01\x02");

  auto got = named("get", "my-test-file.txt");
  ASSERT_TRUE(got) << got.error().message;
  EXPECT_EQ(got->data, "raw bytes \x01\x02");
}

TEST_F(LocalStorageBindingTest, JsonStringsAreStoredAsTextAndBase64AsItsBytes) {
  // What the HTTP API hands over for "data": "Hello World" and for a base64 upload.
  ASSERT_TRUE(named("create", "text", R"("Hello World")"));
  EXPECT_EQ(read_file(root_ / "text"), "Hello World");
  ASSERT_TRUE(named("create", "binary", R"("AAEC/w==")"));
  EXPECT_EQ(read_file(root_ / "binary"), std::string("\x00\x01\x02\xff", 4));
  ASSERT_TRUE(named("create", "object", R"({"a":1})"));
  EXPECT_EQ(read_file(root_ / "object"), R"({"a":1})");
}

TEST_F(LocalStorageBindingTest, CreateWithoutANameUsesARandomUuid) {
  auto first = call("create", "one");
  auto second = call("create", "two");
  ASSERT_TRUE(first && second);
  std::string name = first->metadata.at("fileName");
  ASSERT_EQ(name.size(), 36u) << name;
  EXPECT_EQ(name[8], '-');
  EXPECT_EQ(name[14], '4');  // version 4
  EXPECT_NE(name, second->metadata.at("fileName"));
  EXPECT_EQ(read_file(root_ / name), "one");
}

TEST_F(LocalStorageBindingTest, CreateReplacesAWholeFileAndLeavesNoTemporaryBehind) {
  ASSERT_TRUE(named("create", "f", "a much longer first version"));
  ASSERT_TRUE(named("create", "f", "short"));
  EXPECT_EQ(read_file(root_ / "f"), "short");
  size_t entries = 0;
  for ([[maybe_unused]] const auto& e : fs::directory_iterator(root_)) ++entries;
  EXPECT_EQ(entries, 1u);
}

TEST_F(LocalStorageBindingTest, NestedNamesCreateDirectoriesAndListShowsRelativeNames) {
  ASSERT_TRUE(named("create", "b.txt", "b"));
  ASSERT_TRUE(named("create", "dir/sub/f.txt", "f"));
  ASSERT_TRUE(named("create", "./dir//g.txt", "g"));
  EXPECT_EQ(read_file(root_ / "dir" / "sub" / "f.txt"), "f");

  auto all = call("list");
  ASSERT_TRUE(all) << all.error().message;
  EXPECT_EQ(all->data, R"(["b.txt","dir/g.txt","dir/sub/f.txt"])");
  auto under = named("list", "dir/sub");
  ASSERT_TRUE(under);
  EXPECT_EQ(under->data, R"(["dir/sub/f.txt"])");
}

TEST_F(LocalStorageBindingTest, EveryListingSeesEveryFile) {
  ASSERT_TRUE(named("create", "a.txt", "a"));
  for (int i = 0; i < 3; ++i) {
    auto all = call("list");
    ASSERT_TRUE(all) << all.error().message;
    EXPECT_EQ(all->data, R"(["a.txt"])") << "listing " << i;
  }
}

TEST_F(LocalStorageBindingTest, ListOfAnEmptyRootIsAnEmptyArray) {
  auto r = call("list");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->data, "[]");
  auto missing = named("list", "nope");
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code, Code::NotFound);
}

TEST_F(LocalStorageBindingTest, MissingFilesAreNotFound) {
  auto got = named("get", "absent.txt");
  ASSERT_FALSE(got);
  EXPECT_EQ(got.error().code, Code::NotFound);
  EXPECT_NE(got.error().message.find("absent.txt"), std::string::npos);
  EXPECT_EQ(got.error().message.find(root_.string()), std::string::npos) << "leaks the host path";
  auto deep = named("get", "no/such/dir/file");
  ASSERT_FALSE(deep);
  EXPECT_EQ(deep.error().code, Code::NotFound);
  auto gone = named("delete", "absent.txt");
  ASSERT_FALSE(gone);
  EXPECT_EQ(gone.error().code, Code::NotFound);
}

TEST_F(LocalStorageBindingTest, GetAndDeleteNeedAFileName) {
  for (const char* op : {"get", "delete"}) {
    auto r = call(op);
    ASSERT_FALSE(r) << op;
    EXPECT_EQ(r.error().code, Code::InvalidArgument);
    EXPECT_NE(r.error().message.find("fileName"), std::string::npos);
  }
}

TEST_F(LocalStorageBindingTest, DeleteRemovesTheFileAndAnswersNothing) {
  ASSERT_TRUE(named("create", "d/x", "x"));
  auto deleted = named("delete", "d/x");
  ASSERT_TRUE(deleted) << deleted.error().message;
  EXPECT_TRUE(deleted->data.empty());
  EXPECT_TRUE(deleted->metadata.empty());
  EXPECT_FALSE(fs::exists(root_ / "d" / "x"));
  auto dir = named("delete", "d");
  ASSERT_FALSE(dir);
  EXPECT_EQ(dir.error().code, Code::InvalidArgument);
}

TEST_F(LocalStorageBindingTest, NamesCannotEscapeTheRoot) {
  write_file(dir_ / "outside.txt", "secret");
  for (const char* name :
       {"../outside.txt", "a/../../outside.txt", "..", "/etc/passwd", "dir/../x"}) {
    for (const char* op : {"create", "get", "delete", "list"}) {
      auto r = named(op, name, "overwritten");
      ASSERT_FALSE(r) << op << " " << name;
      EXPECT_EQ(r.error().code, Code::InvalidArgument) << op << " " << name;
    }
  }
  EXPECT_EQ(read_file(dir_ / "outside.txt"), "secret");
  EXPECT_FALSE(fs::exists(dir_ / "x"));
}

TEST_F(LocalStorageBindingTest, SymbolicLinksAreNeverFollowed) {
  fs::create_directories(dir_ / "elsewhere");
  write_file(dir_ / "elsewhere" / "target.txt", "secret");
  fs::create_directory_symlink(dir_ / "elsewhere", root_ / "linkdir");
  fs::create_symlink(dir_ / "elsewhere" / "target.txt", root_ / "linkfile");

  for (const char* op : {"get", "delete", "create"}) {
    auto r = named(op, "linkdir/target.txt", "overwritten");
    ASSERT_FALSE(r) << op;
    EXPECT_EQ(r.error().code, Code::InvalidArgument) << op;
    EXPECT_NE(r.error().message.find("symbolic link"), std::string::npos) << r.error().message;
  }
  auto through = named("list", "linkdir");
  ASSERT_FALSE(through);
  EXPECT_EQ(through.error().code, Code::InvalidArgument);
  auto got = named("get", "linkfile");
  ASSERT_FALSE(got);
  EXPECT_EQ(got.error().code, Code::InvalidArgument);

  // Listing skips links; creating over a link replaces the link, never its target.
  auto listed = call("list");
  ASSERT_TRUE(listed);
  EXPECT_EQ(listed->data, "[]");
  ASSERT_TRUE(named("create", "linkfile", "my own"));
  EXPECT_FALSE(fs::is_symlink(root_ / "linkfile"));
  EXPECT_EQ(read_file(dir_ / "elsewhere" / "target.txt"), "secret");
  EXPECT_EQ(read_file(root_ / "linkfile"), "my own");
}

TEST_F(LocalStorageBindingTest, ARootReachedThroughALinkIsUsable) {
  fs::create_directory_symlink(root_, dir_ / "alias");
  auto aliased = make((dir_ / "alias").string());
  ASSERT_NE(aliased, nullptr);
  ASSERT_TRUE(aliased->invoke({"create", "v", {{"fileName", "via-alias"}}}));
  EXPECT_EQ(read_file(root_ / "via-alias"), "v");
}

}  // namespace
}  // namespace wasmdapr::components
