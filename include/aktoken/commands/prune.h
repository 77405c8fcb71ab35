// SPDX-License-Identifier: MIT
#pragma once

#include <string>
#include <vector>

#include "aktoken/commands/context.h"
#include "aktoken/model/token.h"
#include "aktoken/util/time.h"

// `aktoken prune [IDENTIFIER...] [--dry-run]`: deletes the retired generations that
// `rotate --overlap` leaves (ID--retired-until-YYYYMMDDTHHMMZ) once their until-time has passed.
namespace aktoken::commands {

// The checked request.
struct PrunePlan {
    std::vector<std::string> identifiers;  // the tokens whose generations go; empty: every one visible
    bool dry_run = false;                  // --dry-run: say what would go, send no DELETE
};

// Checks the identifiers; throws Error(usage) before anything is sent. An identifier that is itself
// a retired generation's name is refused: prune takes the token it belongs to.
PrunePlan plan_prune(const std::vector<std::string>& identifiers, bool dry_run);

// One retired generation found.
struct Retired {
    std::string identifier;
    std::string base;       // the token it belongs to
    util::Timestamp until;  // when its overlap ends
};

// The retired generations among `tokens`, in their order: those of the tokens named in `of`
// (sorted by the position of their token in `of`, the server's order kept within one), or every
// one when `of` is empty. Other tokens, successors included, are left out.
std::vector<Retired> retired_among(const std::vector<model::Token>& tokens, const std::vector<std::string>& of);

// What becomes of a retired generation at `now`: "deleted" (or "would delete" for a dry run)
// once its until-time is at or before now, else "kept".
std::string prune_decision(const Retired& retired, util::Timestamp now, bool dry_run);

// `aktoken prune`: lists the retired generations (one listing, or one per named token), deletes
// those whose until-time has passed and reports each one; a failed DELETE is reported and the
// others go on, a 404 counts as deleted (already gone).
Result run_prune(Context& context, const PrunePlan& plan);

}  // namespace aktoken::commands
