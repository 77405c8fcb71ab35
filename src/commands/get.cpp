// SPDX-License-Identifier: MIT
#include "aktoken/commands/get.h"

#include <fmt/format.h>

#include "aktoken/commands/list.h"
#include "aktoken/commands/parallel.h"
#include "aktoken/commands/token_fields.h"
#include "aktoken/util/values.h"
#include "commands/specs.h"

namespace aktoken::commands {

void print_token(Context& context, output::TokenWriter& writer, const model::Token& token) {
    context.out << writer.add(token);
    if (writer.kept_bytes() > kMaxKeptListingBytes) {
        throw Error(ErrorKind::server,
                    fmt::format("the tokens exceed {}, the most aktoken keeps to align a wide table; use -o tsv or "
                                "-o jsonl, which print each token as it comes",
                                util::byte_size_text(kMaxKeptListingBytes)));
    }
}

bool item_error(const Error& error) {
    return error.kind() != ErrorKind::auth && error.kind() != ErrorKind::config && error.kind() != ErrorKind::usage &&
           error.kind() != ErrorKind::internal;
}

void fetch_in_order(Context& context, const std::vector<std::string>& identifiers,
                    const std::function<void(std::size_t, Fetched&)>& consume) {
    const std::function<Fetched(std::size_t, Context&)> fetch = [&](std::size_t index, Context& item) {
        Fetched fetched;
        try {
            fetched.token = item.client.get_token(identifiers[index]);
        } catch (const Error& e) {
            if (!item_error(e)) {
                throw;
            }
            fetched.failure = identifiers.size() > 1 ? about_token(e, identifiers[index]) : e;
        }
        return fetched;
    };
    run_in_order_with(context, identifiers.size(), fetch, consume);
}

Result run_get(Context& context, const std::vector<std::string>& identifiers) {
    Result result;
    output::TokenWriter writer(identifiers.size() > 1, context.format, context.style);
    fetch_in_order(context, identifiers, [&](std::size_t, Fetched& fetched) {
        if (fetched.failure) {
            go_on_past(context, result, std::move(*fetched.failure));
            return;
        }
        print_token(context, writer, *fetched.token);
    });
    context.out << writer.finish();
    note_left_out(context, writer.left_out());
    return result;
}

namespace {

class GetCommand final : public Command {
public:
    void define(Arguments& arguments) override { bulk_.define(arguments); }
    void prepare(const Preparation& preparation) override { bulk_.collect(preparation); }
    int parallel() const override { return bulk_.parallel; }
    Result run(Context& context) override {
        return bulk_.nothing_to_do() ? nothing_to_do(context, bulk_) : run_get(context, bulk_.identifiers);
    }

private:
    BulkArguments bulk_;
};

}  // namespace

const CommandSpec get_command{"get", "Show tokens", R"TXT(Examples:
  aktoken get ci-deploy
  aktoken get ci-deploy backup-job -o json
  aktoken get ci-deploy -o tsv)TXT",
                              Phase::client, make_command<GetCommand>};

}  // namespace aktoken::commands
