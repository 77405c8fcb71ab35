// SPDX-License-Identifier: MIT
// The in-memory database: users, tokens and the key index. Not thread-safe by itself: the
// server holds one mutex around every use.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "model.h"

namespace sandbox {

class Store {
public:
    // Replaces everything with the seed; throws std::runtime_error on duplicate users/identifiers.
    void load(const Seed& seed);

    const std::map<std::int64_t, User>& users() const { return users_; }
    const User* find_user(std::int64_t pk) const;

    // Tokens ordered by identifier (authentik's default ordering starts with it). Pointers into
    // it are valid until the next change.
    const std::vector<Token>& tokens() const { return tokens_; }
    const Token* find_token(std::string_view identifier) const;

    // The token authentik's bearer authentication accepts: an unexpired api token with this key.
    const Token* authenticate(std::string_view key, Micros now) const;
    // Deletes the expired api tokens with this key (what filter_not_expired does to the key an
    // authentication attempt looks up, up to 2026.2).
    void erase_expired_api_tokens(std::string_view key, Micros now);

    bool identifier_taken(std::string_view identifier, const Token* except) const;
    bool managed_taken(std::string_view managed, const Token* except) const;

    // Adds a token; false when the identifier is taken.
    bool insert(Token token);
    // Adds many tokens at once (one sort instead of one shift each); false when an identifier is
    // taken or repeated, and then nothing is added.
    bool insert_all(std::vector<Token> tokens);
    // Replaces the token stored under `identifier` (the new one may carry another identifier).
    void replace(std::string_view identifier, Token token);
    void erase(std::string_view identifier);
    void set_key(std::string_view identifier, std::string key);

    // authentik's expiry housekeeping; returns how many tokens were rotated and deleted.
    std::pair<int, int> housekeeping(Micros now, Micros default_duration);
    // Every scheduled housekeeping run in (from, to], each at its own instant, as authentik's
    // crontab "2-59/5 * * * *" would have run them.
    void scheduled_housekeeping(Micros from, Micros to, Micros default_duration);

private:
    void index_add(const Token& token);
    void index_remove(const Token& token);

    // Makes the token of every outpost that has none (authentik does on the outpost's next use).
    void recreate_outpost_tokens();

    std::map<std::int64_t, User> users_;
    std::vector<Outpost> outposts_;
    std::vector<Token>::iterator position(std::string_view identifier);

    // A sorted vector, not a map: listing walks all tokens on every request, and contiguous
    // memory makes that walk several times faster than chasing tree nodes.
    std::vector<Token> tokens_;
    // key -> identifiers; keys are not unique in authentik either.
    std::unordered_multimap<std::string, std::string> by_key_;
};

}  // namespace sandbox
