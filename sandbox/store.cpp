// SPDX-License-Identifier: MIT
#include "store.h"

#include <stdexcept>
#include <vector>

#include <fmt/format.h>

namespace sandbox {

void Store::load(const Seed& seed) {
  users_.clear();
  tokens_.clear();
  by_key_.clear();
  for (const auto& user : seed.users) {
    if (!users_.emplace(user.pk, user).second) {
      throw std::runtime_error(fmt::format("duplicate user pk {}", user.pk));
    }
  }
  for (const auto& token : seed.tokens) {
    if (!insert(token)) {
      throw std::runtime_error(fmt::format("duplicate token identifier \"{}\"", token.identifier));
    }
  }
}

const User* Store::find_user(std::int64_t pk) const {
  const auto it = users_.find(pk);
  return it == users_.end() ? nullptr : &it->second;
}

const Token* Store::find_token(std::string_view identifier) const {
  const auto it = tokens_.find(identifier);
  return it == tokens_.end() ? nullptr : &it->second;
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

bool Store::identifier_taken(std::string_view identifier, const Token* except) const {
  const Token* found = find_token(identifier);
  return found != nullptr && found != except;
}

bool Store::managed_taken(std::string_view managed, const Token* except) const {
  // Linear, but only writes ask: no index to keep in step.
  for (const auto& [identifier, token] : tokens_) {
    if (&token != except && token.managed && *token.managed == managed) {
      return true;
    }
  }
  return false;
}

bool Store::insert(Token token) {
  if (tokens_.count(token.identifier) != 0) {
    return false;
  }
  index_add(token);
  std::string identifier = token.identifier;
  tokens_.emplace(std::move(identifier), std::move(token));
  return true;
}

void Store::replace(std::string_view identifier, Token token) {
  erase(identifier);
  insert(std::move(token));
}

void Store::erase(std::string_view identifier) {
  const auto it = tokens_.find(identifier);
  if (it == tokens_.end()) {
    return;
  }
  index_remove(it->second);
  tokens_.erase(it);
}

void Store::set_key(std::string_view identifier, std::string key) {
  const auto it = tokens_.find(identifier);
  if (it == tokens_.end()) {
    return;
  }
  index_remove(it->second);
  it->second.key = std::move(key);
  index_add(it->second);
}

std::pair<int, int> Store::housekeeping(Micros now, Micros default_duration) {
  // authentik: Token.objects.filter(expires__lt=now(), expiring=True) then expire_action().
  int rotated = 0;
  std::vector<std::string> doomed;
  for (auto& [identifier, token] : tokens_) {
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
      doomed.push_back(identifier);
    }
  }
  for (const auto& identifier : doomed) {
    erase(identifier);
  }
  return {rotated, static_cast<int>(doomed.size())};
}

void Store::index_add(const Token& token) {
  by_key_.emplace(token.key, token.identifier);
}

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
