// wasmdapr: the command line. Argument parsing only; the work is in runtime/.
#include <CLI/CLI.hpp>
#include <cstdio>

int main(int argc, char** argv) {
  CLI::App app{"wasmdapr: WebAssembly microservices with the Dapr building blocks built in"};
  app.require_subcommand(1);
  auto* version = app.add_subcommand("version", "Print the version");
  version->callback([] { std::printf("wasmdapr %s\n", WASMDAPR_VERSION); });
  CLI11_PARSE(app, argc, argv);
  return 0;
}
