// dense_matrix.cpp — storage and BLAS calls for dense_matrix.
#include "adapters/index/dense_matrix.hpp"

#include <cmath>
#include <mutex>

#include <cblas.h>

namespace cartmate::index {

namespace {

void single_threaded_blas() {
  static std::once_flag once;
  std::call_once(once, [] { openblas_set_num_threads(1); });
}

}  // namespace

dense_matrix::dense_matrix(size_t dim) : dim_(dim == 0 ? 1 : dim) {
  single_threaded_blas();
}

size_t dense_matrix::add_row(const std::vector<float>& v) {
  auto r = rows_++;
  data_.resize(rows_ * dim_, 0.f);
  float* dst = data_.data() + r * dim_;
  for (size_t i = 0; i < dim_ && i < v.size(); ++i)
    dst[i] = v[i];
  float norm = cblas_snrm2(static_cast<int>(dim_), dst, 1);
  if (norm > 0.f)
    cblas_sscal(static_cast<int>(dim_), 1.f / norm, dst, 1);
  return r;
}

void dense_matrix::scores(const float* q, std::vector<float>& out) const {
  out.resize(rows_);
  if (rows_ == 0)
    return;
  cblas_sgemv(CblasRowMajor, CblasNoTrans, static_cast<int>(rows_), static_cast<int>(dim_), 1.f,
              data_.data(), static_cast<int>(dim_), q, 1, 0.f, out.data(), 1);
}

void dense_matrix::scores(const float* q, const std::vector<uint32_t>& rows,
                          std::vector<float>& out) const {
  out.resize(rows_);
  for (auto r : rows)
    out[r] = cblas_sdot(static_cast<int>(dim_), row(r), 1, q, 1);
}

}  // namespace cartmate::index
