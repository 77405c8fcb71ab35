// SPDX-License-Identifier: MIT
#include "aktoken/commands/keys.h"

#include <fmt/format.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <istream>

#include "aktoken/commands/token_fields.h"
#include "aktoken/output/records.h"
#include "aktoken/util/files.h"
#include "aktoken/util/strings.h"
#include "aktoken/util/values.h"
#include "commands/specs.h"

namespace aktoken::commands {
namespace {

// A bare "permission denied" leaves the operator guessing which permission is missing.
Error with_permission_hint(const Error& e, const std::string& hint) {
    if (e.kind() != ErrorKind::permission) {
        return e;
    }
    return Error(e.kind(), fmt::format("{}; {}", e.what(), hint), e.status(), e.fields());
}

}  // namespace

bool masks_keys(const Preparation& preparation) { return preparation.environment("GITHUB_ACTIONS") == "true"; }

void mask_key(Context& context, bool masked, std::string_view key) {
    if (!masked) {
        return;
    }
    context.err << "::add-mask::" << key << '\n';
    // The runner must have the mask before the key reaches stdout.
    context.err.flush();
}

std::optional<std::string> print_key_text(Context& context, std::string_view text) {
    errno = 0;
    context.out << text;
    context.out.flush();
    if (context.out) {
        return std::nullopt;
    }
    const int error = errno;
    return error != 0 ? std::strerror(error) : "write error";
}

Error undelivered_key(std::string_view what, std::string_view reason, std::string_view recovery) {
    return Error(ErrorKind::output,
                 fmt::format("{} could not be written to standard output ({}); {}", what, reason, recovery));
}

std::string view_key_recovery(const std::string& identifier) {
    return fmt::format("the server holds it: read it with `aktoken view-key {}`", identifier);
}

void write_key_file(const std::string& path, std::string_view key) {
    std::string content(key);
    content += '\n';
    try {
        util::write_file_atomic(path, content, 0600);
    } catch (...) {
        util::wipe(content);
        throw;
    }
    util::wipe(content);
}

util::Secret fetch_key(api::Client& client, const std::string& identifier) {
    try {
        return client.view_key(identifier);
    } catch (const Error& e) {
        throw with_permission_hint(
            e,
            "viewing a key needs the permission authentik_core.view_token_key on the token (superusers have it, "
            "and so does a token's creator)");
    }
}

Result run_view_key(Context& context, const std::string& identifier, const std::optional<std::string>& key_file,
                    bool mask) {
    util::Secret key = fetch_key(context.client, identifier);
    if (key_file) {
        write_key_file(*key_file, key.view());
        return {};
    }
    mask_key(context, mask, key.view());
    std::string line = std::string(key.view()) + '\n';
    const std::optional<std::string> failure = print_key_text(context, line);
    util::wipe(line);
    if (failure) {
        throw undelivered_key(fmt::format("the key of token {}", util::quoted(identifier)), *failure,
                              "it is unchanged on the server: run view-key again");
    }
    return {};
}

void check_key(std::string_view key, std::string_view origin) {
    if (key.empty()) {
        throw Error(ErrorKind::usage, fmt::format("the key from {} is empty", origin));
    }
    for (char c : key) {
        const auto byte = static_cast<unsigned char>(c);
        if (byte <= 0x20 || byte == 0x7f) {
            throw Error(ErrorKind::usage,
                        fmt::format("the key from {} holds whitespace or control characters; a key is one word of "
                                    "printable characters",
                                    origin));
        }
    }
}

util::Secret read_key(const KeySource& source, std::istream& stdin_stream) {
    std::string raw;
    std::string origin;
    if (source.file) {
        origin = *source.file;
        raw = util::read_secret_file(*source.file, "key file");
    } else {
        origin = "standard input";
        raw = std::string(util::read_capped(stdin_stream, util::max_read_size, origin, ErrorKind::usage).view());
    }
    util::Secret key{std::string(util::trim_right(raw))};
    util::wipe(raw);
    check_key(key.view(), origin);
    return key;
}

util::Secret ask_key(const std::string& identifier, const Preparation& preparation) {
    std::string line;
    {
        // Echo goes off before the prompt shows: nothing typed after it can appear.
        const util::EchoOff hidden(STDIN_FILENO);
        if (preparation.err != nullptr) {
            *preparation.err << fmt::format("New key for token {} (typing is not shown): ", util::quoted(identifier));
            preparation.err->flush();
        }
        std::getline(preparation.in, line);
    }
    if (preparation.err != nullptr) {
        // The Enter that ended the line was not echoed either.
        *preparation.err << '\n';
    }
    util::Secret key{std::string(util::trim(line))};
    util::wipe(line);
    check_key(key.view(), "the terminal");
    return key;
}

void send_key(api::Client& client, const std::string& identifier, std::string_view key) {
    try {
        client.set_key(identifier, key);
    } catch (const Error& e) {
        throw with_permission_hint(e,
                                   "setting a key needs the permission authentik_core.set_token_key (superusers have "
                                   "it; token owners do not by default)");
    }
}

Result run_set_key(Context& context, const std::string& identifier, const util::Secret& key) {
    send_key(context.client, identifier, key.view());
    output::Record record;
    record.add("identifier", output::Value::string(identifier));
    record.add("key_set", output::Value::boolean(true));
    record.add_text("line", fmt::format("key of token {} set", util::quoted(identifier)));
    output::View view;
    view.text = output::View::Text::lines;
    view.line_field = "line";
    view.single = true;
    context.out << output::render({record}, context.format, context.style, view);
    return {};
}

namespace {

class ViewKeyCommand final : public Command {
public:
    void define(Arguments& arguments) override {
        arguments.argument("IDENTIFIER", identifier_, "Token identifier");
        arguments.option("--key-file", key_file_, "Write the key to PATH (mode 0600, atomic) instead", "PATH");
    }

    void prepare(const Preparation& preparation) override {
        check_identifier("IDENTIFIER", identifier_);
        if (key_file_) {
            check_output_file("--key-file", *key_file_, *key_file_);
        }
        mask_ = masks_keys(preparation);
    }

    Result run(Context& context) override { return run_view_key(context, identifier_, key_file_, mask_); }

private:
    std::string identifier_;
    std::optional<std::string> key_file_;
    bool mask_ = false;
};

class SetKeyCommand final : public Command {
public:
    void define(Arguments& arguments) override {
        arguments.argument("IDENTIFIER", identifier_, "Token identifier");
        arguments.option("--key-file", key_file_, "Read the new key from PATH", "PATH");
        arguments.flag("--key-stdin", key_stdin_,
                       "Read the new key from standard input (on a terminal: asked, not shown)");
        arguments.exclusive("--key-file", "--key-stdin");
    }

    void prepare(const Preparation& preparation) override {
        if (!key_file_ && !key_stdin_) {
            throw Error(ErrorKind::usage,
                        "set-key needs --key-file PATH or --key-stdin (a key is never taken from argv)");
        }
        check_identifier("IDENTIFIER", identifier_);
        if (key_stdin_ && preparation.token_from_stdin) {
            throw Error(ErrorKind::usage, "--key-stdin and --token-file - cannot both read standard input");
        }
        key_ = key_stdin_ && preparation.stdin_is_terminal ? ask_key(identifier_, preparation)
                                                           : read_key({key_file_, key_stdin_}, preparation.in);
    }

    Result run(Context& context) override { return run_set_key(context, identifier_, *key_); }

private:
    std::string identifier_;
    std::optional<std::string> key_file_;
    bool key_stdin_ = false;
    std::optional<util::Secret> key_;
};

}  // namespace

constexpr output::Format kViewKeyFormats[] = {output::Format::table};

const CommandSpec view_key_command{"view-key",
                                   "Print a token's key",
                                   R"TXT(Prints only the key and a newline (authentik logs a secret_view event). Under
GITHUB_ACTIONS=true the key is first masked with ::add-mask::KEY on stderr. No -o
format applies but table: the key is printed as it is.

Examples:
  aktoken view-key ci-deploy --key-file ~/.ci-deploy.key
  curl -H "Authorization: Bearer $(aktoken view-key ci-deploy)" ...)TXT",
                                   Phase::client,
                                   make_command<ViewKeyCommand>,
                                   0,
                                   kViewKeyFormats};

constexpr output::Format kSetKeyFormats[] = {output::Format::table, output::Format::json, output::Format::jsonl};

const CommandSpec set_key_command{"set-key",
                                  "Replace a token's key",
                                  R"TXT(The key is never taken from the command line. authentik requires the permission
authentik_core.set_token_key, which token owners do not have by default.
Formats: table, json, jsonl.

Examples:
  aktoken set-key ci-deploy --key-file ./new.key
  openssl rand -hex 32 | aktoken set-key ci-deploy --key-stdin)TXT",
                                  Phase::client,
                                  make_command<SetKeyCommand>,
                                  0,
                                  kSetKeyFormats};

}  // namespace aktoken::commands
