// Package model holds the nouns of poisfact: the sparse count matrix
// Counts with its file formats and hold-out splits, and (in later files)
// the hierarchical Poisson factorization hyperparameters, its variational
// posterior and the generative sampler.
//
// A Counts is an immutable n × p matrix of non-negative integer counts
// x_ij stored twice over the same non-zeros: row-major (CSR) for passes
// over rows and column-major (CSC) for passes over columns, with each CSC
// entry's position in CSR order so that a value computed per non-zero in
// one pass can be read back in the other. Every cost in the library is in
// the number of non-zeros, never in n·p.
//
// Files are read by ReadFile (Matrix Market or triplet text, gzip detected
// from the content) and written by WriteFile; errors name the file and the
// line. Split draws a seeded, per-row train / validation / test split.
//
// The notation follows docs/MATH.md of the project.
package model
