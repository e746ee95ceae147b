// Package model holds the nouns of poisfact: the sparse count matrix
// Counts with its file formats and hold-out splits, the Rates of a fitted
// model that every likelihood and metric reads, the held-out ranking
// metrics (Rank), the hierarchical Poisson
// factorization hyperparameters, its variational posterior, the
// generative sampler and saved models.
//
// A Counts is an immutable n × p matrix of non-negative integer counts
// x_ij stored twice over the same non-zeros: row-major (CSR) for passes
// over rows and column-major (CSC) for passes over columns, with each CSC
// entry's position in CSR order so that a value computed per non-zero in
// one pass can be read back in the other. Every cost in the library is in
// the number of non-zeros, never in n·p.
//
// Files are read by ReadFile (Matrix Market or triplet text, gzip detected
// from the content) and written by WriteFile; errors have one shape,
// "FILE: line N: KIND: detail", and wrap ErrFormat, ErrBadCount,
// ErrIndexRange or ErrShape. Split draws a seeded, per-row train /
// validation / test split.
//
// Limits. A count is a whole number below 2⁵³, and so is the total of a
// matrix, so that float64 holds every sum exactly. Indices are int32. A
// file declares at most max(MaxSparseDims, 16 × its non-zeros) rows plus
// columns: the declared shape costs 32 bytes per row and column, and a
// reader must not let a one-line header allocate gigabytes; the check
// runs once the entries are read, before the arrays are made. Reading
// holds 16 bytes per non-zero read plus the Counts itself (20 bytes per
// non-zero and 32 per row and column). LoadModel checks the shape its
// manifest declares against its files before allocating, and every value
// (positive Gamma parameters, non-negative factors), not only checksums.
//
// The notation follows docs/MATH.md of the project.
package model
