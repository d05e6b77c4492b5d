// dense_matrix.hpp — product vectors as one row-major float matrix, scored against a query with
// OpenBLAS. Threading: one owner writes; const scoring calls may run concurrently. OpenBLAS is
// limited to one thread (process-wide) on first use: callers are CAF workers, one core each, and
// BLAS's own thread pool would fight the scheduler for cores.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace cartmate::index {

/// Rows are L2-normalised when stored, so a row's dot product with a unit query is its cosine.
class dense_matrix {
public:
  explicit dense_matrix(size_t dim);

  size_t dim() const noexcept {
    return dim_;
  }

  size_t rows() const noexcept {
    return rows_;
  }

  /// Appends `v` (dim() floats), normalised; a zero vector stays zero. Returns its row number.
  size_t add_row(const std::vector<float>& v);

  /// Row `r`, dim() floats.
  const float* row(size_t r) const noexcept {
    return data_.data() + r * dim_;
  }

  /// out[r] = row(r) · q for every row (one cblas_sgemv); `out` is resized to rows().
  void scores(const float* q, std::vector<float>& out) const;

  /// out[r] = row(r) · q for the listed rows only (a cblas_sdot each); other entries untouched.
  /// Cheaper than scores() when a filter leaves few candidates.
  void scores(const float* q, const std::vector<uint32_t>& rows, std::vector<float>& out) const;

private:
  size_t dim_;
  size_t rows_ = 0;
  std::vector<float> data_;
};

}  // namespace cartmate::index
