// The output bindings route of the Dapr HTTP API as Sidecar::handle answers it: the request
// envelope, data re-marshalling, 200/204, metadata.<k> headers and the runtime's error codes,
// over bindings.localstorage and a recording binding.
#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "components/registry.h"
#include "dapr/json_view.h"
#include "sidecar/api_test_support.h"
#include "sidecar/sidecar.h"
#include "support/scratch_dir.h"

namespace wasmdapr::sidecar {
namespace {

using api_test::IsApiError;
using api_test::make_request;

namespace fs = std::filesystem;
using dapr::JsonView;

std::string header(const http::Response& response, std::string_view name) {
  for (const auto& [k, v] : response.headers) {
    if (k == name) return v;
  }
  return "<absent>";
}

// Records the last request; answers with what the test sets.
class RecordingBinding final : public dapr::OutputBinding {
 public:
  std::vector<std::string> operations() const override { return {"create", "echo", "fail"}; }
  Result<dapr::BindingResponse, dapr::Error> invoke(const dapr::BindingRequest& request) override {
    last = request;
    if (request.operation == "fail") {
      return unexpected(dapr::Error{dapr::Error::Code::Unavailable, "backend down"});
    }
    if (request.operation == "echo") return dapr::BindingResponse{request.data, request.metadata};
    return answer;
  }
  dapr::BindingRequest last;
  dapr::BindingResponse answer;
};

class BindingsApiTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_FALSE(dir_.empty());
    dapr::ComponentSpec files;
    files.name = "files";
    files.type = "bindings.localstorage";
    files.metadata["rootPath"] = (dir_ / "root").string();
    auto built = components::builtin_registry().build({files});
    ASSERT_TRUE(built) << built.error();
    components_ = std::move(*built);
    recorder_ = std::make_shared<RecordingBinding>();
    dapr::ComponentSpec spec;
    spec.name = "recorder";
    spec.type = "bindings.test";
    components_.bindings.emplace("recorder",
                                 dapr::ComponentSet::Entry<dapr::OutputBinding>{spec, recorder_});
    sidecar_ = std::make_unique<Sidecar>(components_,
                                         SidecarOptions{.app_id = "app1", .runtime_version = "t"});
  }

  http::Response post(std::string_view name, std::string body, std::string method = "POST") {
    http::Request r;
    r.method = std::move(method);
    r.path = "/v1.0/bindings/" + std::string(name);
    r.body = std::move(body);
    return sidecar_->handle(r);
  }

  wasmdapr::testing::ScratchDir scratch_{"bindings"};
  const fs::path& dir_ = scratch_.path();
  dapr::ComponentSet components_;
  std::shared_ptr<RecordingBinding> recorder_;
  std::unique_ptr<Sidecar> sidecar_;
};

TEST_F(BindingsApiTest, LocalStorageRoundTripThroughTheApi) {
  auto created = post("files", R"({"operation":"create","data":"Hello World",
                                   "metadata":{"fileName":"my-test-file.txt"}})");
  EXPECT_EQ(created.status, 200) << created.body;
  EXPECT_EQ(created.body, R"({"fileName":"my-test-file.txt"})");
  EXPECT_EQ(header(created, "metadata.fileName"), "my-test-file.txt");
  EXPECT_EQ(header(created, "Content-Type"), "application/json");
  std::ifstream file(dir_ / "root" / "my-test-file.txt");
  std::ostringstream text;
  text << file.rdbuf();
  EXPECT_EQ(text.str(), "Hello World");

  auto got =
      post("files", R"({"operation":"get","metadata":{"fileName":"my-test-file.txt"}})", "PUT");
  EXPECT_EQ(got.status, 200);
  EXPECT_EQ(got.body, "Hello World");

  auto listed = post("files", R"({"operation":"list"})");
  EXPECT_EQ(listed.status, 200);
  EXPECT_EQ(listed.body, R"(["my-test-file.txt"])");

  auto deleted =
      post("files", R"({"operation":"delete","metadata":{"fileName":"my-test-file.txt"}})");
  EXPECT_EQ(deleted.status, 204);
  EXPECT_EQ(deleted.body, "");
  auto again = post("files", R"({"operation":"get","metadata":{"fileName":"my-test-file.txt"}})");
  EXPECT_TRUE(IsApiError(again, 500, "ERR_INVOKE_OUTPUT_BINDING"));
  EXPECT_NE(again.body.find("file not found"), std::string::npos) << again.body;
}

TEST_F(BindingsApiTest, EscapingNamesAreRefusedAsInvokeErrors) {
  auto r = post("files", R"({"operation":"get","metadata":{"fileName":"../../etc/passwd"}})");
  EXPECT_TRUE(IsApiError(r, 500, "ERR_INVOKE_OUTPUT_BINDING"));
  EXPECT_NE(r.body.find("error invoking output binding files: "), std::string::npos) << r.body;
}

TEST_F(BindingsApiTest, DataIsReMarshalledAsCompactJson) {
  auto r = post("recorder", R"({"operation":"create",
      "data": { "b" : [1, 2.50, {"z":true, "a":null}], "a" : "x\u0041" }})");
  EXPECT_EQ(r.status, 204) << r.body;
  EXPECT_EQ(recorder_->last.data, R"({"a":"x\u0041","b":[1,2.50,{"a":null,"z":true}]})");
  EXPECT_EQ(recorder_->last.operation, "create");

  post("recorder", R"({"operation":"create","data":"text"})");
  EXPECT_EQ(recorder_->last.data, R"("text")");
  post("recorder", R"({"operation":"create"})");
  EXPECT_EQ(recorder_->last.data, "null");
}

TEST_F(BindingsApiTest, ResponseMetadataComesBackAsHeaders) {
  auto r = post("recorder", R"({"operation":"echo","data":{"k":1},
                               "metadata":{"statusCode":"200","Content-Type":"a/b"}})");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, R"({"k":1})");
  EXPECT_EQ(header(r, "metadata.statusCode"), "200");
  EXPECT_EQ(header(r, "metadata.Content-Type"), "a/b");
  EXPECT_EQ(recorder_->last.metadata.at("statusCode"), "200");
}

TEST_F(BindingsApiTest, MetadataWithoutDataIsStill200) {
  recorder_->answer = dapr::BindingResponse{"", {{"only", "meta"}}};
  auto r = post("recorder", R"({"operation":"create"})");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "");
  EXPECT_EQ(header(r, "metadata.only"), "meta");
}

TEST_F(BindingsApiTest, MalformedEnvelopesAre400) {
  for (const char* body : {"", "not json", "[1,2]", R"({"operation":5})",
                           R"({"operation":"create","metadata":{"n":1}})",
                           R"({"operation":"create","metadata":[]})"}) {
    EXPECT_TRUE(IsApiError(post("recorder", body), 400, "ERR_MALFORMED_REQUEST")) << body;
  }
}

TEST_F(BindingsApiTest, UnknownBindingAndUnsupportedOperationAre500) {
  auto unknown = post("nope", R"({"operation":"create"})");
  EXPECT_TRUE(IsApiError(unknown, 500, "ERR_INVOKE_OUTPUT_BINDING"));
  EXPECT_NE(unknown.body.find("couldn't find output binding nope"), std::string::npos);

  auto unsupported = post("recorder", R"({"operation":"destroy"})");
  EXPECT_TRUE(IsApiError(unsupported, 500, "ERR_INVOKE_OUTPUT_BINDING"));
  EXPECT_NE(unsupported.body.find("does not support operation destroy"), std::string::npos)
      << unsupported.body;
  EXPECT_TRUE(recorder_->last.operation.empty()) << "the binding was not called";
}

TEST_F(BindingsApiTest, ComponentFailuresAre500WithTheirMessage) {
  auto r = post("recorder", R"({"operation":"fail"})");
  EXPECT_TRUE(IsApiError(r, 500, "ERR_INVOKE_OUTPUT_BINDING"));
  EXPECT_NE(r.body.find("error invoking output binding recorder: backend down"), std::string::npos)
      << r.body;
}

TEST_F(BindingsApiTest, OnlyPostAndPutReachTheRoute) {
  http::Request r;
  r.method = "GET";
  r.path = "/v1.0/bindings/recorder";
  EXPECT_EQ(sidecar_->handle(r).status, 405);
}

}  // namespace
}  // namespace wasmdapr::sidecar
