// web_page.hpp — the web chat page (examples/web/index.html), compiled into the binary.
// Threading: immutable static text; safe from any thread.
#pragma once

#include <string_view>

namespace cartmate::http {

/// The page's HTML, CSS and JavaScript in one document.
std::string_view web_chat_page();

}  // namespace cartmate::http
