// SPDX-License-Identifier: MIT
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

// The text around usage: help fitted to the terminal, the nearest word to a mistyped one, and
// where the command word stands.
// Plain strings, no CLI11, so that tests can hold them to exact text.
namespace aktoken::cli {

// The width --help fits: the terminal's on fd (else COLUMNS when it is a positive integer), else 80.
std::size_t help_width(int fd);

// One entry of an option or command list: "  NAME", padded to `column`, then the description
// wrapped at spaces to `width` with its continuation lines starting at `column`. A name that
// leaves no room puts the description on the next line. Ends with a newline.
std::string help_entry(std::string_view name, std::string_view description, std::size_t column, std::size_t width);

// Fits help prose to `width`: the unindented lines of a paragraph (up to a blank line or an
// indented line) are joined and wrapped at spaces; an indented line (an example command) stays
// a line of its own and, when too long, goes on after " \" at a space outside quotes, indented
// four more. A word longer than the width is never broken.
std::string fit_prose(std::string_view text, std::size_t width);

// The optimal-string-alignment distance: insertions, deletions, substitutions and swaps of two
// neighbouring characters each count 1 ("lst" -> "list" is 1, "lsit" -> "list" is 1).
std::size_t edit_distance(std::string_view a, std::string_view b);

// The candidates nearest to a mistyped `word`, as git, gh and kubectl suggest them: those at the
// smallest edit distance, if it is at most 2 and shorter than the word; else those the word
// begins (3 characters or more, dashes not counted). In candidate order; empty when none is near.
std::vector<std::string> nearest(std::string_view word, const std::vector<std::string>& candidates);

// " (did you mean X?)", " (did you mean X or Y?)"; empty for no suggestion.
std::string did_you_mean(const std::vector<std::string>& suggestions);

// The index of the command word in args: the first word that is not an option or a global
// option's value (the settings table says which take one); args.size() when there is none.
std::size_t command_word(const std::vector<std::string>& args);

}  // namespace aktoken::cli
