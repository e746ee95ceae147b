package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
)

// usageError marks an error the user fixes by changing the command line
// or the input (a missing or malformed file, a bad flag value): exit
// status 2.
type usageError struct{ error }

func (e usageError) Unwrap() error { return e.error }

// usagef returns a usageError with a formatted message.
func usagef(format string, args ...any) error {
	return usageError{fmt.Errorf(format, args...)}
}

// newFlagSet returns a flag set that reports errors to stderr with the
// command's usage line.
func newFlagSet(name, usageLine string, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintf(stderr, "Usage: poisfact %s %s\n\nFlags:\n", name, usageLine)
		printFlags(stderr, fs)
	}
	return fs
}

// printFlags documents every flag with its default, zero values included
// (the flag package's PrintDefaults leaves those out).
func printFlags(w io.Writer, fs *flag.FlagSet) {
	fs.VisitAll(func(f *flag.Flag) {
		kind, usage := flag.UnquoteUsage(f)
		def := f.DefValue
		if def == "" {
			def = `""`
		}
		fmt.Fprintf(w, "  -%s %s\n    \t%s (default %s)\n", f.Name, kind, usage, def)
	})
}

// parseFlags parses args, allowing the positional FILE before or after the
// flags, and returns the positional arguments. A -h gives status 0.
func parseFlags(fs *flag.FlagSet, args []string) (pos []string, status int, ok bool) {
	var rest []string
	for len(args) > 0 {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				return nil, 0, false
			}
			return nil, 2, false
		}
		args = fs.Args()
		if len(args) > 0 {
			rest = append(rest, args[0])
			args = args[1:]
		}
	}
	return rest, 0, true
}

// fail prints one line "poisfact CMD: msg" and returns the exit status:
// 2 for a usageError, 1 otherwise.
func fail(stderr io.Writer, cmd string, err error) int {
	msg := strings.ReplaceAll(err.Error(), "\n", " ")
	fmt.Fprintf(stderr, "poisfact %s: %s\n", cmd, msg)
	if errors.As(err, new(usageError)) {
		return 2
	}
	return 1
}
