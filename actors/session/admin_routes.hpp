// admin_routes.hpp — the authenticated admin HTTP endpoint: POST /admin/prices applies catalog
// price and stock updates through product discovery and hands each change to the alerts agent,
// which fires the alerts it meets. `cartmate prices FILE` posts here.
// Threading: the route runs on an io thread and only parses and hands off (answers 202); the
// relay actor talks to the agents.
#pragma once

#include "adapters/http/server.hpp"
#include "config/node_config.hpp"

namespace cartmate::runtime {
class node;
}

namespace cartmate::session {

/// The name a token's user must carry to use the admin endpoint (minted with `cartmate token`).
inline constexpr const char* admin_user = "admin";

/// Adds POST /admin/prices to `server`. Body: {"updates":[{"product_id":"…","price":1499.0,
/// "stock":3}, …]} (price in major units, either field may be left out); header
/// `Authorization: Bearer <token>` signed with auth.secret for user "admin". Answers 202 with
/// the number accepted, 400 naming the bad entry, 401/403 without a valid admin token, 403 when
/// no auth.secret is configured. `node` must outlive the server.
void add_admin_routes(http::server& server, runtime::node& node, const config::node_config& cfg);

}  // namespace cartmate::session
