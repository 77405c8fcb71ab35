// SPDX-License-Identifier: MIT
#include "store.h"

#include <fmt/format.h>

#include <algorithm>
#include <stdexcept>
#include <vector>

namespace sandbox {

void Store::load(const Seed& seed) {
    users_.clear();
    tokens_.clear();
    by_key_.clear();
    outposts_ = seed.outposts;
    for (const auto& user : seed.users) {
        if (!users_.emplace(user.pk, user).second) {
            throw std::runtime_error(fmt::format("duplicate user pk {}", user.pk));
        }
    }
    if (!insert_all(seed.tokens)) {
        throw std::runtime_error("duplicate token identifier in the seed");
    }
}

const User* Store::find_user(std::int64_t pk) const {
    const auto it = users_.find(pk);
    return it == users_.end() ? nullptr : &it->second;
}

std::vector<Token>::iterator Store::position(std::string_view identifier) {
    return std::lower_bound(tokens_.begin(), tokens_.end(), identifier,
                            [](const Token& t, std::string_view id) { return t.identifier < id; });
}

const Token* Store::find_token(std::string_view identifier) const {
    const auto it = std::lower_bound(tokens_.begin(), tokens_.end(), identifier,
                                     [](const Token& t, std::string_view id) { return t.identifier < id; });
    return it != tokens_.end() && it->identifier == identifier ? &*it : nullptr;
}

const Token* Store::authenticate(std::string_view key, Micros now) const {
    const auto [first, last] = by_key_.equal_range(std::string(key));
    for (auto it = first; it != last; ++it) {
        const Token* token = find_token(it->second);
        if (token != nullptr && token->intent == "api" && !token->is_expired(now)) {
            return token;
        }
    }
    return nullptr;
}

void Store::erase_expired_api_tokens(std::string_view key, Micros now) {
    std::vector<std::string> doomed;
    const auto [first, last] = by_key_.equal_range(std::string(key));
    for (auto it = first; it != last; ++it) {
        const Token* token = find_token(it->second);
        if (token != nullptr && token->intent == "api" && token->is_expired(now)) {
            doomed.push_back(token->identifier);
        }
    }
    for (const auto& identifier : doomed) {
        erase(identifier);
    }
}

bool Store::identifier_taken(std::string_view identifier, const Token* except) const {
    const Token* found = find_token(identifier);
    return found != nullptr && found != except;
}

bool Store::managed_taken(std::string_view managed, const Token* except) const {
    // Linear, but only writes ask: no index to keep in step.
    return std::any_of(tokens_.begin(), tokens_.end(), [&](const Token& token) {
        return &token != except && token.managed && *token.managed == managed;
    });
}

bool Store::insert(Token token) {
    const auto it = position(token.identifier);
    if (it != tokens_.end() && it->identifier == token.identifier) {
        return false;
    }
    index_add(token);
    tokens_.insert(it, std::move(token));
    return true;
}

bool Store::insert_all(std::vector<Token> tokens) {
    std::sort(tokens.begin(), tokens.end(), [](const Token& a, const Token& b) { return a.identifier < b.identifier; });
    for (std::size_t i = 0; i < tokens.size(); ++i) {
        if ((i > 0 && tokens[i].identifier == tokens[i - 1].identifier) ||
            find_token(tokens[i].identifier) != nullptr) {
            return false;
        }
    }
    for (auto& token : tokens) {
        index_add(token);
        tokens_.push_back(std::move(token));
    }
    std::sort(tokens_.begin(), tokens_.end(),
              [](const Token& a, const Token& b) { return a.identifier < b.identifier; });
    return true;
}

void Store::replace(std::string_view identifier, Token token) {
    const auto it = position(identifier);
    if (it != tokens_.end() && it->identifier == identifier && token.identifier == identifier) {
        index_remove(*it);
        *it = std::move(token);
        index_add(*it);
        return;
    }
    erase(identifier);
    insert(std::move(token));
}

void Store::erase(std::string_view identifier) {
    const auto it = position(identifier);
    if (it == tokens_.end() || it->identifier != identifier) {
        return;
    }
    index_remove(*it);
    tokens_.erase(it);
}

void Store::set_key(std::string_view identifier, std::string key) {
    const auto it = position(identifier);
    if (it == tokens_.end() || it->identifier != identifier) {
        return;
    }
    index_remove(*it);
    it->key = std::move(key);
    index_add(*it);
}

std::pair<int, int> Store::housekeeping(Micros now, Micros default_duration) {
    // authentik: Token.objects.filter(expires__lt=now(), expiring=True) then expire_action().
    int rotated = 0;
    std::vector<std::string> doomed;
    for (auto& token : tokens_) {
        if (!token.expiring || !token.expires || *token.expires >= now) {
            continue;
        }
        if (token.intent == "api") {
            index_remove(token);
            token.key = random_key();
            token.expires = now + default_duration;
            index_add(token);
            ++rotated;
        } else {
            doomed.push_back(token.identifier);
        }
    }
    for (const auto& identifier : doomed) {
        erase(identifier);
    }
    recreate_outpost_tokens();
    return {rotated, static_cast<int>(doomed.size())};
}

namespace {

constexpr Micros housekeeping_period = micros_per_second * 60 * 5;
constexpr Micros housekeeping_offset = micros_per_second * 60 * 2;

// The first crontab instant (minute 2, 7, ..., 57 of each hour) strictly after t.
Micros next_housekeeping_after(Micros t) {
    Micros periods = (t - housekeeping_offset) / housekeeping_period;
    if ((t - housekeeping_offset) % housekeeping_period < 0) {
        --periods;  // floor, not truncation, before 1970
    }
    return (periods + 1) * housekeeping_period + housekeeping_offset;
}

}  // namespace

void Store::recreate_outpost_tokens() {
    for (const Outpost& outpost : outposts_) {
        if (find_token(outpost.token_identifier()) == nullptr) {
            insert(outpost.make_token());
        }
    }
}

void Store::scheduled_housekeeping(Micros from, Micros to, Micros default_duration) {
    if (next_housekeeping_after(from) <= to) {
        // The sandbox's stand-in for the outpost controller: a deleted outpost token is back after
        // the next run. Nothing in a run deletes an outpost's (api) token, so once is enough.
        recreate_outpost_tokens();
    }
    // A run only changes something once a token has expired, so jump from expiry to expiry
    // instead of visiting every 5-minute instant (a clock moved a year ahead stays cheap).
    for (Micros run = next_housekeeping_after(from); run <= to;) {
        std::optional<Micros> earliest;
        for (const Token& token : tokens_) {
            if (token.expiring && token.expires && (!earliest || *token.expires < *earliest)) {
                earliest = token.expires;
            }
        }
        if (!earliest) {
            return;
        }
        // authentik's filter is expires < now: a token expiring exactly at a run waits for the next.
        run = std::max(run, next_housekeeping_after(*earliest));
        if (run > to) {
            return;
        }
        housekeeping(run, default_duration);
        run = next_housekeeping_after(run);
    }
}

void Store::index_add(const Token& token) { by_key_.emplace(token.key, token.identifier); }

void Store::index_remove(const Token& token) {
    const auto [first, last] = by_key_.equal_range(token.key);
    for (auto it = first; it != last; ++it) {
        if (it->second == token.identifier) {
            by_key_.erase(it);
            return;
        }
    }
}

}  // namespace sandbox
