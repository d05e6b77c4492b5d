// colour_extractor.cpp — sampling, a colour histogram, weighted k-means in Lab, naming.
// Pixels are first binned at 5 bits per channel (keeping each bin's exact mean colour), so
// k-means runs over at most 32768 weighted points whatever the image size. Seeding is greedy
// k-means++ (the heaviest bin, then repeatedly the point with the largest weight x squared
// distance to its nearest centre): deterministic without a random generator.
#include "adapters/style/colour_extractor.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>

namespace cartmate::style {

namespace {

struct weighted_point {
  double l = 0, a = 0, b = 0;
  double r = 0, g = 0, bl = 0;   // mean sRGB of the bin
  double weight = 0;
};

double dist2(const weighted_point& p, const weighted_point& c) {
  double dl = p.l - c.l, da = p.a - c.a, db = p.b - c.b;
  return dl * dl + da * da + db * db;
}

std::vector<weighted_point> histogram(const rgba_image& image, uint32_t sample_pixels) {
  struct bin {
    double r = 0, g = 0, b = 0;
    uint32_t n = 0;
  };
  std::vector<bin> bins(1u << 15);
  const uint64_t total = uint64_t(image.width) * image.height;
  // A regular grid: every step-th pixel in both directions.
  uint32_t step = 1;
  while (sample_pixels > 0 && total / (uint64_t(step) * step) > sample_pixels)
    ++step;
  for (uint32_t y = 0; y < image.height; y += step) {
    const uint8_t* row = image.pixels.data() + size_t(y) * image.width * 4;
    for (uint32_t x = 0; x < image.width; x += step) {
      const uint8_t* px = row + size_t(x) * 4;
      if (px[3] < 128)
        continue;
      auto& bn = bins[(uint32_t(px[0] >> 3) << 10) | (uint32_t(px[1] >> 3) << 5) | (px[2] >> 3)];
      bn.r += px[0];
      bn.g += px[1];
      bn.b += px[2];
      ++bn.n;
    }
  }
  std::vector<weighted_point> points;
  for (const auto& bn : bins) {
    if (bn.n == 0)
      continue;
    weighted_point p;
    p.r = bn.r / bn.n;
    p.g = bn.g / bn.n;
    p.bl = bn.b / bn.n;
    auto c = srgb_to_lab(static_cast<uint8_t>(std::lround(p.r)), static_cast<uint8_t>(std::lround(p.g)),
                         static_cast<uint8_t>(std::lround(p.bl)));
    p.l = c.l;
    p.a = c.a;
    p.b = c.b;
    p.weight = bn.n;
    points.push_back(p);
  }
  return points;
}

std::vector<weighted_point> seed(const std::vector<weighted_point>& points, size_t k) {
  std::vector<weighted_point> centres;
  auto heaviest = std::max_element(points.begin(), points.end(),
                                   [](const auto& x, const auto& y) { return x.weight < y.weight; });
  centres.push_back(*heaviest);
  std::vector<double> nearest(points.size(), std::numeric_limits<double>::max());
  while (centres.size() < k) {
    size_t best = 0;
    double best_score = 0.0;
    for (size_t i = 0; i < points.size(); ++i) {
      nearest[i] = std::min(nearest[i], dist2(points[i], centres.back()));
      double score = points[i].weight * nearest[i];
      if (score > best_score) {
        best_score = score;
        best = i;
      }
    }
    if (best_score <= 0.0)
      break;   // every point already is a centre
    centres.push_back(points[best]);
  }
  return centres;
}

// Lloyd iterations; returns each centre's total weight (0 for a centre that lost every point).
std::vector<double> lloyd(const std::vector<weighted_point>& points,
                          std::vector<weighted_point>& centres, uint32_t max_iterations) {
  std::vector<size_t> owner(points.size(), 0);
  std::vector<double> mass(centres.size(), 0.0);
  for (uint32_t it = 0; it < std::max<uint32_t>(1, max_iterations); ++it) {
    bool moved = false;
    for (size_t i = 0; i < points.size(); ++i) {
      size_t best = 0;
      double best_d = std::numeric_limits<double>::max();
      for (size_t c = 0; c < centres.size(); ++c) {
        double d = dist2(points[i], centres[c]);
        if (d < best_d) {
          best_d = d;
          best = c;
        }
      }
      if (it == 0 || owner[i] != best)
        moved = true;
      owner[i] = best;
    }
    std::vector<weighted_point> sum(centres.size());
    for (size_t i = 0; i < points.size(); ++i) {
      auto& s = sum[owner[i]];
      const auto& p = points[i];
      s.l += p.weight * p.l;
      s.a += p.weight * p.a;
      s.b += p.weight * p.b;
      s.r += p.weight * p.r;
      s.g += p.weight * p.g;
      s.bl += p.weight * p.bl;
      s.weight += p.weight;
    }
    for (size_t c = 0; c < centres.size(); ++c) {
      mass[c] = sum[c].weight;
      if (sum[c].weight <= 0)
        continue;
      double w = sum[c].weight;
      centres[c] = weighted_point{sum[c].l / w, sum[c].a / w, sum[c].b / w,
                                  sum[c].r / w, sum[c].g / w, sum[c].bl / w, w};
    }
    if (!moved)
      break;
  }
  return mass;
}

uint8_t channel(double v) {
  return static_cast<uint8_t>(std::clamp(std::lround(v), 0L, 255L));
}

}  // namespace

std::vector<protocol::colour_share> dominant_colours(const rgba_image& image,
                                                     const colour_palette& palette,
                                                     const extraction_options& options) {
  std::vector<protocol::colour_share> out;
  if (image.width == 0 || image.height == 0 || options.max_colours == 0)
    return out;
  auto points = histogram(image, options.sample_pixels);
  if (points.empty())
    return out;
  auto centres = seed(points, std::min<size_t>(options.max_colours, points.size()));
  auto mass = lloyd(points, centres, options.max_iterations);
  double total = 0;
  for (double m : mass)
    total += m;
  // Merge clusters by catalog name, accumulating share-weighted sRGB for the reported centre.
  struct merged {
    double share = 0, r = 0, g = 0, b = 0;
  };
  std::map<std::string, merged> by_name;
  for (size_t c = 0; c < centres.size(); ++c) {
    if (mass[c] <= 0)
      continue;
    const auto& ct = centres[c];
    lab value{static_cast<float>(ct.l), static_cast<float>(ct.a), static_cast<float>(ct.b)};
    auto& m = by_name[palette.nearest(value).name];
    double share = mass[c] / total;
    m.share += share;
    m.r += share * ct.r;
    m.g += share * ct.g;
    m.b += share * ct.bl;
  }
  for (const auto& [name, m] : by_name) {
    if (m.share < options.min_share)
      continue;
    out.push_back(protocol::colour_share{
      name, static_cast<float>(m.share),
      pack_rgb(channel(m.r / m.share), channel(m.g / m.share), channel(m.b / m.share))});
  }
  std::sort(out.begin(), out.end(), [](const auto& x, const auto& y) {
    return x.share != y.share ? x.share > y.share : x.colour < y.colour;
  });
  return out;
}

caf::expected<protocol::image_analysis> analyse_image(const std::vector<uint8_t>& bytes,
                                                      const colour_palette& palette,
                                                      const image_limits& limits,
                                                      const extraction_options& options) {
  auto image = decode_image(bytes, limits);
  if (!image)
    return std::move(image.error());
  protocol::image_analysis out;
  out.width = image->width;
  out.height = image->height;
  out.colours = dominant_colours(*image, palette, options);
  return out;
}

}  // namespace cartmate::style
