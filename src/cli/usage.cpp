// SPDX-License-Identifier: MIT
#include "cli/usage.h"

#include <algorithm>
#include <numeric>

#include "aktoken/config/settings.h"
#include "aktoken/output/list.h"
#include "aktoken/output/terminal.h"

namespace aktoken::cli {
namespace {

// Whether a global option takes a value: the scan for the command word reads the same settings
// table as the parser.
bool takes_value(std::string_view word) {
    for (const config::SettingSpec& spec : config::setting_table()) {
        if (!spec.value_name.empty() && (word == spec.flag || (!spec.short_flag.empty() && word == spec.short_flag))) {
            return true;
        }
    }
    return false;
}

constexpr std::size_t kDefaultWidth = 80;
constexpr std::size_t kMaxDistance = 2;
constexpr std::size_t kMinPrefix = 3;
constexpr std::size_t kMaxSuggestions = 3;
constexpr std::size_t kContinuationIndent = 4;

std::vector<std::string_view> split_words(std::string_view text) {
    std::vector<std::string_view> words;
    std::size_t start = 0;
    while (start < text.size()) {
        const std::size_t begin = text.find_first_not_of(' ', start);
        if (begin == std::string_view::npos) {
            break;
        }
        const std::size_t end = std::min(text.find(' ', begin), text.size());
        words.push_back(text.substr(begin, end - begin));
        start = end;
    }
    return words;
}

// Example commands break only between shell words: a space inside quotes belongs to its word.
std::vector<std::string_view> split_shell_words(std::string_view text) {
    std::vector<std::string_view> words;
    std::size_t begin = std::string_view::npos;
    char quote = 0;
    for (std::size_t i = 0; i < text.size(); ++i) {
        const char c = text[i];
        if (quote != 0) {
            if (c == quote) {
                quote = 0;
            }
            continue;
        }
        if (c == ' ') {
            if (begin != std::string_view::npos) {
                words.push_back(text.substr(begin, i - begin));
                begin = std::string_view::npos;
            }
            continue;
        }
        if (begin == std::string_view::npos) {
            begin = i;
        }
        if (c == '"' || c == '\'') {
            quote = c;
        }
    }
    if (begin != std::string_view::npos) {
        words.push_back(text.substr(begin));
    }
    return words;
}

// Appends `words` to `out`, whose current line is `line` columns wide already, breaking before a
// word that would pass `width`; new lines start with `indent`.
void wrap_words(std::string& out, std::size_t line, const std::vector<std::string_view>& words, std::size_t width,
                const std::string& indent) {
    bool first = true;
    for (const std::string_view word : words) {
        const std::size_t word_width = output::display_width(word);
        if (!first && line + 1 + word_width > width) {
            out += '\n';
            out += indent;
            line = indent.size();
        } else if (!first) {
            out += ' ';
            ++line;
        }
        out += word;
        line += word_width;
        first = false;
    }
}

// The columns a line takes from `used` on with a word and, unless it is the last, the " \" that
// may have to follow it.
std::size_t used_after(std::size_t used, std::size_t word_width, bool last) {
    return used + word_width + (last ? 0 : 2);
}

// An indented line of help: an example command, continued after " \" where it must break.
void fit_command(std::string& out, std::string_view line, std::size_t width) {
    const std::size_t indent_size = line.find_first_not_of(' ');
    const std::vector<std::string_view> words = split_shell_words(line.substr(indent_size));
    const std::size_t continuation = indent_size + kContinuationIndent;
    out.append(indent_size, ' ');
    std::size_t used = indent_size;
    for (std::size_t i = 0; i < words.size(); ++i) {
        const std::size_t word_width = output::display_width(words[i]);
        const bool last = i + 1 == words.size();
        if (i > 0 && used_after(used + 1, word_width, last) > width) {
            out += " \\\n";
            // A word too long for the continuation's indent gets the room of the first line.
            const std::size_t indent = used_after(continuation, word_width, last) > width ? indent_size : continuation;
            out.append(indent, ' ');
            used = indent;
        } else if (i > 0) {
            out += ' ';
            ++used;
        }
        out += words[i];
        used += word_width;
    }
}

}  // namespace

std::size_t help_width(int fd) {
    const int width = output::terminal_width(fd);
    return width > 0 ? static_cast<std::size_t>(width) : kDefaultWidth;
}

std::string help_entry(std::string_view name, std::string_view description, std::size_t column, std::size_t width) {
    std::string out = "  ";
    out += name;
    if (description.empty()) {
        return out + '\n';
    }
    const std::string indent(column, ' ');
    const std::size_t name_width = output::display_width(out);
    if (name_width >= column) {
        out += '\n';
        out += indent;
    } else {
        out.append(column - name_width, ' ');
    }
    std::size_t start = 0;
    bool first_line = true;
    while (start <= description.size()) {
        const std::size_t end = std::min(description.find('\n', start), description.size());
        if (!first_line) {
            out += '\n';
            out += indent;
        }
        wrap_words(out, column, split_words(description.substr(start, end - start)), width, indent);
        first_line = false;
        start = end + 1;
    }
    return out + '\n';
}

std::string fit_prose(std::string_view text, std::size_t width) {
    std::string out;
    std::vector<std::string_view> paragraph;
    const auto flush = [&]() {
        if (!paragraph.empty()) {
            wrap_words(out, 0, paragraph, width, "");
            out += '\n';
            paragraph.clear();
        }
    };
    std::size_t start = 0;
    while (start < text.size()) {
        const std::size_t end = std::min(text.find('\n', start), text.size());
        const std::string_view line = text.substr(start, end - start);
        start = end + 1;
        if (line.find_first_not_of(' ') == std::string_view::npos) {
            flush();
            out += '\n';
        } else if (line.front() == ' ') {
            flush();
            fit_command(out, line, width);
            out += '\n';
        } else {
            const std::vector<std::string_view> words = split_words(line);
            paragraph.insert(paragraph.end(), words.begin(), words.end());
        }
    }
    flush();
    // The text's own end: without a final newline, none is added.
    if (!text.empty() && text.back() != '\n' && !out.empty()) {
        out.pop_back();
    }
    return out;
}

std::size_t edit_distance(std::string_view a, std::string_view b) {
    // Three rows of the optimal-string-alignment table: two back for a swap.
    std::vector<std::size_t> before(b.size() + 1);
    std::vector<std::size_t> previous(b.size() + 1);
    std::vector<std::size_t> current(b.size() + 1);
    std::iota(previous.begin(), previous.end(), 0);
    for (std::size_t i = 1; i <= a.size(); ++i) {
        current[0] = i;
        for (std::size_t j = 1; j <= b.size(); ++j) {
            const std::size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
            current[j] = std::min({previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost});
            if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]) {
                current[j] = std::min(current[j], before[j - 2] + 1);
            }
        }
        std::swap(before, previous);
        std::swap(previous, current);
    }
    return previous[b.size()];
}

std::vector<std::string> nearest(std::string_view word, const std::vector<std::string>& candidates) {
    const std::size_t core = word.size() - std::min(word.size(), word.find_first_not_of('-'));
    std::size_t best = kMaxDistance;
    std::vector<std::string> found;
    for (const std::string& candidate : candidates) {
        const std::size_t distance = edit_distance(word, candidate);
        if (distance == 0 || distance > best || distance >= core) {
            continue;
        }
        if (distance < best) {
            best = distance;
            found.clear();
        }
        found.push_back(candidate);
    }
    if (found.empty() && core >= kMinPrefix) {
        for (const std::string& candidate : candidates) {
            if (candidate.size() > word.size() && std::string_view(candidate).substr(0, word.size()) == word) {
                found.push_back(candidate);
            }
        }
    }
    if (found.size() > kMaxSuggestions) {
        found.resize(kMaxSuggestions);
    }
    return found;
}

std::string did_you_mean(const std::vector<std::string>& suggestions) {
    if (suggestions.empty()) {
        return {};
    }
    std::string text = " (did you mean ";
    for (std::size_t i = 0; i < suggestions.size(); ++i) {
        if (i > 0) {
            text += i + 1 == suggestions.size() ? " or " : ", ";
        }
        text += suggestions[i];
    }
    return text + "?)";
}

std::size_t command_word(const std::vector<std::string>& args) {
    for (std::size_t i = 0; i < args.size(); ++i) {
        const std::string& word = args[i];
        if (takes_value(word)) {
            ++i;
        } else if (!word.empty() && word[0] != '-') {
            return i;
        }
    }
    return args.size();
}

}  // namespace aktoken::cli
