// SPDX-License-Identifier: MIT
#include "aktoken/util/values.h"
#include "commands/completion_scripts.h"
#include "commands/specs.h"

namespace aktoken::commands {
namespace {

class CompletionCommand final : public Command {
public:
    void define(Arguments& arguments) override { arguments.argument("SHELL", shell_, "bash, zsh or fish"); }

    void prepare(const Preparation&) override {
        if (completion_script(shell_).empty()) {
            util::invalid_value("SHELL", shell_, "expected bash, zsh or fish");
        }
    }

    Result run_local(LocalContext& context) override {
        context.out << completion_script(shell_);
        return {};
    }

private:
    std::string shell_;
};

}  // namespace

const CommandSpec completion_command{"completion", "Print the shell completion script", R"TXT(Examples:
  source <(aktoken completion bash)
  aktoken completion zsh > "${fpath[1]}/_aktoken"
  aktoken completion fish > ~/.config/fish/completions/aktoken.fish)TXT",
                                     Phase::none, make_command<CompletionCommand>};

}  // namespace aktoken::commands
