// cart_rules.cpp — quantity, stock and currency checks of a cart write (see cart_rules.hpp).
#include "adapters/stores/cart_rules.hpp"

#include <algorithm>
#include <iterator>
#include <string>

#include "protocol/errors.hpp"

namespace cartmate::stores {

namespace {

using protocol::errc;
using protocol::make_error;

std::vector<protocol::cart_line>::iterator find_line(cart_snapshot& cart,
                                                     const std::string& product_id) {
  return std::find_if(cart.lines.begin(), cart.lines.end(),
                      [&](const protocol::cart_line& l) { return l.product_id == product_id; });
}

std::string name_of(const line_facts& facts, const std::string& product_id) {
  return facts.title.empty() ? product_id : facts.title;
}

/// `already` is what the cart holds before an add (0 for set_quantity).
caf::error check_quantity(int64_t quantity, int64_t already, const line_facts& facts,
                          const std::string& product_id) {
  auto name = name_of(facts, product_id);
  if (quantity < 1)
    return make_error(errc::invalid_argument, "the quantity must be at least 1");
  if (quantity > facts.max_per_line) {
    std::string msg = "at most " + std::to_string(facts.max_per_line) + " of one product fit in a cart";
    if (already > 0)
      msg += "; you already have " + std::to_string(already) + " of " + name;
    return make_error(errc::invalid_argument, msg);
  }
  if (facts.stock <= 0)
    return make_error(errc::out_of_stock, name + " is out of stock");
  if (quantity > facts.stock) {
    std::string msg = "only " + std::to_string(facts.stock) + " of " + name + " in stock";
    if (already > 0)
      msg += " and you already have " + std::to_string(already) + " in your cart";
    return make_error(errc::out_of_stock, msg);
  }
  return {};
}

caf::error check_currency(const cart_snapshot& cart, const line_facts& facts,
                          const std::string& product_id) {
  for (const auto& line : cart.lines)
    if (line.product_id != product_id && line.unit_price.currency != facts.unit_price.currency)
      return make_error(errc::invalid_argument,
                        "prices in " + facts.unit_price.currency + " cannot join a cart in "
                          + line.unit_price.currency);
  return {};
}

void set_line(protocol::cart_line& line, const line_facts& facts, int32_t quantity) {
  if (!facts.title.empty())
    line.title = facts.title;
  line.unit_price = facts.unit_price;
  line.quantity = quantity;
  line.line_total = protocol::money{facts.unit_price.minor * quantity, facts.unit_price.currency};
}

}  // namespace

caf::expected<cart_snapshot> apply_cart_op(const cart_snapshot& cart, const cart_op& op,
                                           const line_facts& facts) {
  auto next = cart;
  auto line = find_line(next, op.product_id);
  switch (op.kind) {
    case cart_op_kind::add: {
      if (op.quantity < 1)
        return make_error(errc::invalid_argument, "the quantity must be at least 1");
      int64_t already = line == next.lines.end() ? 0 : line->quantity;
      if (auto err = check_quantity(already + op.quantity, already, facts, op.product_id))
        return err;
      if (auto err = check_currency(next, facts, op.product_id))
        return err;
      if (line == next.lines.end()) {
        protocol::cart_line fresh;
        fresh.product_id = op.product_id;
        next.lines.push_back(std::move(fresh));
        line = std::prev(next.lines.end());
      }
      set_line(*line, facts, static_cast<int32_t>(already + op.quantity));
      break;
    }
    case cart_op_kind::set_quantity:
      if (line == next.lines.end())
        return make_error(errc::not_found, name_of(facts, op.product_id) + " is not in your cart");
      if (auto err = check_quantity(op.quantity, 0, facts, op.product_id))
        return err;
      if (auto err = check_currency(next, facts, op.product_id))
        return err;
      set_line(*line, facts, op.quantity);
      break;
    case cart_op_kind::remove:
      if (line == next.lines.end())
        return make_error(errc::not_found, op.product_id + " is not in your cart");
      next.lines.erase(line);
      break;
  }
  ++next.version;
  return next;
}

}  // namespace cartmate::stores
