// colour_space.cpp — sRGB → XYZ → Lab and CIEDE2000; see the header.
#include "adapters/style/colour_space.hpp"

#include <array>
#include <cmath>

namespace cartmate::style {

namespace {

constexpr double pi = 3.14159265358979323846;

double radians(double deg) {
  return deg * pi / 180.0;
}

double degrees(double rad) {
  return rad * 180.0 / pi;
}

// Linear-light value of each 8-bit sRGB code, computed once.
const std::array<double, 256>& linear_table() {
  static const auto table = [] {
    std::array<double, 256> t{};
    for (int i = 0; i < 256; ++i) {
      double c = i / 255.0;
      t[i] = c <= 0.04045 ? c / 12.92 : std::pow((c + 0.055) / 1.055, 2.4);
    }
    return t;
  }();
  return table;
}

double lab_f(double t) {
  constexpr double eps = 216.0 / 24389.0;
  constexpr double kappa = 24389.0 / 27.0;
  return t > eps ? std::cbrt(t) : (kappa * t + 16.0) / 116.0;
}

double hue_of(double a, double b) {
  if (a == 0.0 && b == 0.0)
    return 0.0;
  double h = degrees(std::atan2(b, a));
  return h < 0 ? h + 360.0 : h;
}

}  // namespace

lab srgb_to_lab(uint8_t r8, uint8_t g8, uint8_t b8) noexcept {
  const auto& lin = linear_table();
  double r = lin[r8], g = lin[g8], b = lin[b8];
  double x = 0.4124564 * r + 0.3575761 * g + 0.1804375 * b;
  double y = 0.2126729 * r + 0.7151522 * g + 0.0721750 * b;
  double z = 0.0193339 * r + 0.1191920 * g + 0.9503041 * b;
  double fx = lab_f(x / 0.95047);
  double fy = lab_f(y / 1.0);
  double fz = lab_f(z / 1.08883);
  return lab{static_cast<float>(116.0 * fy - 16.0), static_cast<float>(500.0 * (fx - fy)),
             static_cast<float>(200.0 * (fy - fz))};
}

lab srgb_to_lab(uint32_t rgb) noexcept {
  return srgb_to_lab(static_cast<uint8_t>(rgb >> 16), static_cast<uint8_t>(rgb >> 8),
                     static_cast<uint8_t>(rgb));
}

float chroma(const lab& c) noexcept {
  return std::hypot(c.a, c.b);
}

float hue_degrees(const lab& c) noexcept {
  return static_cast<float>(hue_of(c.a, c.b));
}

float delta_e_2000(const lab& x, const lab& y) noexcept {
  const double l1 = x.l, a1 = x.a, b1 = x.b;
  const double l2 = y.l, a2 = y.a, b2 = y.b;
  const double pow25_7 = 6103515625.0;  // 25^7
  double c_bar = (std::hypot(a1, b1) + std::hypot(a2, b2)) / 2.0;
  double c_bar7 = std::pow(c_bar, 7.0);
  double g = 0.5 * (1.0 - std::sqrt(c_bar7 / (c_bar7 + pow25_7)));
  double a1p = (1.0 + g) * a1;
  double a2p = (1.0 + g) * a2;
  double c1p = std::hypot(a1p, b1);
  double c2p = std::hypot(a2p, b2);
  double h1p = hue_of(a1p, b1);
  double h2p = hue_of(a2p, b2);

  double dl = l2 - l1;
  double dc = c2p - c1p;
  double dh = 0.0;
  if (c1p * c2p != 0.0) {
    dh = h2p - h1p;
    if (dh > 180.0)
      dh -= 360.0;
    else if (dh < -180.0)
      dh += 360.0;
  }
  double d_big_h = 2.0 * std::sqrt(c1p * c2p) * std::sin(radians(dh / 2.0));

  double l_bar = (l1 + l2) / 2.0;
  double c_bar_p = (c1p + c2p) / 2.0;
  double h_bar = h1p + h2p;
  if (c1p * c2p != 0.0) {
    if (std::fabs(h1p - h2p) <= 180.0)
      h_bar = (h1p + h2p) / 2.0;
    else if (h1p + h2p < 360.0)
      h_bar = (h1p + h2p + 360.0) / 2.0;
    else
      h_bar = (h1p + h2p - 360.0) / 2.0;
  }
  double t = 1.0 - 0.17 * std::cos(radians(h_bar - 30.0)) + 0.24 * std::cos(radians(2.0 * h_bar))
             + 0.32 * std::cos(radians(3.0 * h_bar + 6.0))
             - 0.20 * std::cos(radians(4.0 * h_bar - 63.0));
  double d_theta = 30.0 * std::exp(-std::pow((h_bar - 275.0) / 25.0, 2.0));
  double c_bar_p7 = std::pow(c_bar_p, 7.0);
  double rc = 2.0 * std::sqrt(c_bar_p7 / (c_bar_p7 + pow25_7));
  double l50 = (l_bar - 50.0) * (l_bar - 50.0);
  double sl = 1.0 + 0.015 * l50 / std::sqrt(20.0 + l50);
  double sc = 1.0 + 0.045 * c_bar_p;
  double sh = 1.0 + 0.015 * c_bar_p * t;
  double rt = -std::sin(radians(2.0 * d_theta)) * rc;
  double tl = dl / sl, tc = dc / sc, th = d_big_h / sh;
  return static_cast<float>(std::sqrt(tl * tl + tc * tc + th * th + rt * tc * th));
}

}  // namespace cartmate::style
