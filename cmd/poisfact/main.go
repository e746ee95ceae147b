// Command poisfact fits Poisson factorization models to count matrices
// from the command line.
//
// Usage:
//
//	poisfact info FILE [-json]           shape, totals and sparsity of a count matrix
//	poisfact fit -in FILE -k K [flags]   fit HPF (-model hpf) or KL-NMF (-model nmf, nmf-cd)
//	poisfact compare FILE [-k K] [-json] check NLL = D + C(X) on the data; -side-by-side
//	poisfact recommend -model DIR -row LABEL -n N
//	poisfact evaluate -model DIR -test FILE [-valid FILE] [-json]
//	poisfact select-k -in FILE -k 5,10,20,50 [-restarts R] [-json]
//	poisfact export -model DIR -out DIR
//	poisfact factors -model DIR -n N
//	poisfact simulate -rows n -cols p -k K -seed S -out FILE
//	poisfact convert IN OUT
//
// FILE is Matrix Market (.mtx) or triplet text (.tsv, .csv, .txt), with or
// without gzip, the binary format (.pfb), or a 10x Genomics matrix folder. Run "poisfact COMMAND -h" for a command's flags. Errors go
// to standard error as one line, with exit status 2 for anything the user
// can fix (a missing file, a bad flag) and 1 otherwise.
package main

import (
	"fmt"
	"io"
	"os"
)

// command is one subcommand: its name, a one-line summary and its entry
// point, which returns the process exit status.
type command struct {
	name, summary string
	run           func(args []string, stdout, stderr io.Writer) int
}

func commands() []command {
	return []command{
		{"info", "print shape, totals and sparsity of a count matrix", runInfo},
		{"fit", "fit hierarchical Poisson factorization (CAVI) or KL-NMF (MU, coordinate descent)", runFit},
		{"compare", "check numerically that the Poisson NLL is the KL divergence plus C(X); fit HPF and KL-NMF side by side", runCompare},
		{"recommend", "top columns for a row of a saved model, excluding those it has", runRecommend},
		{"evaluate", "held-out log-likelihood and ranking metrics of a saved model on a test file", runEvaluate},
		{"select-k", "fit HPF over a list of K on one split and tabulate validation log-likelihood", runSelectK},
		{"export", "write a saved model's factor means as tab-separated text", runExport},
		{"factors", "top columns of each factor of a saved model, with their labels", runFactors},
		{"simulate", "draw a count matrix from the HPF generative model", runSimulate},
		{"convert", "rewrite a count matrix in another format (.mtx, .tsv, .csv, .gz, the binary .pfb)", runConvert},
	}
}

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// run dispatches to a subcommand and returns the exit status.
func run(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 || args[0] == "-h" || args[0] == "-help" || args[0] == "--help" || args[0] == "help" {
		usage(stderr)
		if len(args) == 0 {
			return 2
		}
		return 0
	}
	for _, c := range commands() {
		if c.name == args[0] {
			return c.run(args[1:], stdout, stderr)
		}
	}
	fmt.Fprintf(stderr, "poisfact: unknown command %q (run poisfact -h for the list)\n", args[0])
	return 2
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "poisfact: Bayesian Poisson factorization of count matrices\n\nUsage: poisfact COMMAND [flags] [FILE]\n\nCommands:")
	for _, c := range commands() {
		fmt.Fprintf(w, "  %-10s %s\n", c.name, c.summary)
	}
	fmt.Fprintln(w, "\nRun poisfact COMMAND -h for a command's flags.")
}
