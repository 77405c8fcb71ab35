// SPDX-License-Identifier: MIT
#include <doctest/doctest.h>
#include <sys/stat.h>

#include <fstream>
#include <map>
#include <string>

#include "aktoken/commands/config_info.h"
#include "aktoken/config/settings.h"
#include "unit/temp_dir.h"

using namespace aktoken;
using config::CommandLine;
using config::Environment;
using config::Settings;

namespace {

// Resolves against a config file in a temporary directory and an injected environment.
struct World {
    test::TempDir dir;
    std::string config = dir / "config";
    std::map<std::string, std::string> vars{{"AKTOKEN_CONFIG", config}};

    Environment env() const {
        return [vars = vars](const std::string& name) -> std::optional<std::string> {
            const auto it = vars.find(name);
            return it == vars.end() ? std::nullopt : std::optional<std::string>(it->second);
        };
    }

    void write_config(const std::string& text) const {
        std::ofstream(config) << text;
        REQUIRE(::chmod(config.c_str(), 0600) == 0);
    }

    Settings resolve(const CommandLine& command_line = {}) const { return config::resolve(command_line, env()); }
};

}  // namespace

TEST_SUITE("unit") {
    TEST_CASE("config show: defaults, every row in table order") {
        World world;
        const Settings s = world.resolve();
        CHECK(commands::config_show(s, output::Format::table) ==
              "config:         " + world.config +
                  "  (missing: no such file (fine: defaults apply))\n"
                  "profile:        default  (default)\n"
                  "url:            -  (unset: use --url, AUTHENTIK_URL or url in the profile)\n"
                  "token:          -  (unset: use --token-file, AUTHENTIK_TOKEN, AUTHENTIK_TOKEN_FILE or the profile)\n"
                  "ca_file:        -  (default: the system's CA certificates)\n"
                  "insecure:       false  (default)\n"
                  "timeout:        30  (default)\n"
                  "output:         table  (default)\n"
                  "retries:        3  (default)\n"
                  "retry_max_time: -  (default: no limit)\n"
                  "quiet:          false  (default)\n");
        CHECK(commands::config_show(s, output::Format::jsonl) ==
              R"({"config":{"value":")" + world.config +
                  R"j(","source":"missing","where":"no such file (fine: defaults apply)"},)j"
                  R"j("profile":{"value":"default","source":"default","where":"default"},)j"
                  R"j("url":{"value":"-","source":"unset","where":"use --url, AUTHENTIK_URL or url in the profile"},)j"
                  R"j("token":{"value":"-","source":"unset","where":"use --token-file, AUTHENTIK_TOKEN, )j"
                  R"j(AUTHENTIK_TOKEN_FILE or the profile"},)j"
                  R"j("ca_file":{"value":"-","source":"default","where":"the system's CA certificates"},)j"
                  R"j("insecure":{"value":"false","source":"default","where":"default"},)j"
                  R"j("timeout":{"value":"30","source":"default","where":"default"},)j"
                  R"j("output":{"value":"table","source":"default","where":"default"},)j"
                  R"j("retries":{"value":"3","source":"default","where":"default"},)j"
                  R"j("retry_max_time":{"value":"-","source":"default","where":"no limit"},)j"
                  R"j("quiet":{"value":"false","source":"default","where":"default"}})j"
                  "\n");
    }

    TEST_CASE("config show: values from flags, environment and profile") {
        World world;
        world.write_config(
            "[prod]\nurl = https://ak.example.com\ntoken_file = tok\ntimeout = 2.5\nretries = 5\n"
            "retry_max_time = 60\nquiet = yes\n");
        world.vars["AKTOKEN_PROFILE"] = "prod";
        world.vars["AUTHENTIK_INSECURE"] = "yes";
        world.vars["AKTOKEN_RETRIES"] = "0";
        CommandLine cl;
        cl.output = "json";
        cl.ca_file = "/etc/ca.pem";
        cl.retry_max_time = "0.5";
        const Settings s = world.resolve(cl);
        const std::string in_profile = world.config + " [prod]";
        CHECK(commands::config_show(s, output::Format::table) ==
              "config:         " + world.config +
                  "  (file)\n"
                  "profile:        prod  (environment: AKTOKEN_PROFILE)\n"
                  "url:            https://ak.example.com/api/v3  (profile: " +
                  in_profile +
                  ")\n"
                  "token:          <set from " +
                  in_profile + " (" + world.dir / "tok" + ")>  (profile: " + in_profile +
                  ")\n"
                  "ca_file:        /etc/ca.pem  (flag: --ca-file)\n"
                  "insecure:       true  (environment: AUTHENTIK_INSECURE)\n"
                  "timeout:        2.5  (profile: " +
                  in_profile +
                  ")\n"
                  "output:         json  (flag: --output)\n"
                  "retries:        0  (environment: AKTOKEN_RETRIES)\n"
                  "retry_max_time: 0.5  (flag: --retry-max-time)\n"
                  "quiet:          true  (profile: " +
                  in_profile + ")\n");
        const std::string json = commands::config_show(s, output::Format::json);
        CHECK(json.substr(json.find("  \"retries\"")) ==
              "  \"retries\": {\n"
              "    \"value\": \"0\",\n"
              "    \"source\": \"environment\",\n"
              "    \"where\": \"AKTOKEN_RETRIES\"\n"
              "  },\n"
              "  \"retry_max_time\": {\n"
              "    \"value\": \"0.5\",\n"
              "    \"source\": \"flag\",\n"
              "    \"where\": \"--retry-max-time\"\n"
              "  },\n"
              "  \"quiet\": {\n"
              "    \"value\": \"true\",\n"
              "    \"source\": \"profile\",\n"
              "    \"where\": \"" +
                  in_profile +
                  "\"\n"
                  "  }\n"
                  "}\n");

        world.vars.erase("AKTOKEN_RETRIES");
        CommandLine none;
        const Settings from_profile = world.resolve(none);
        const std::string text = commands::config_show(from_profile, output::Format::table);
        CHECK(text.substr(text.find("retries:        ")) == "retries:        5  (profile: " + in_profile +
                                                                ")\n"
                                                                "retry_max_time: 60  (profile: " +
                                                                in_profile +
                                                                ")\n"
                                                                "quiet:          true  (profile: " +
                                                                in_profile + ")\n");
    }
}  // TEST_SUITE
