package beamfit

import (
	"fmt"
	"os"
)

// PrivateTempDir points the process's temporary directory (TMPDIR, which
// os.TempDir reads) at a new directory of its own and returns the function
// that removes that directory with everything in it and puts TMPDIR back.
//
// Call it around the fits of a program that runs on Prism. In loopback
// mode, which is Prism's, Beam's Go SDK (runnerlib.Execute, v2.77.0)
// creates an empty placeholder file, beamloopbackworker-*, in
// os.TempDir() for every pipeline it runs and never removes it. A fit runs
// one pipeline per pass, two or three per sweep, so without this a fit of
// 50 sweeps leaves over a hundred files in /tmp. TMPDIR belongs to the
// whole process: call PrivateTempDir once, not from goroutines that run
// side by side. On Windows, where os.TempDir does not read TMPDIR, it
// changes nothing but makes and removes the directory.
func PrivateTempDir() (restore func() error, err error) {
	dir, err := os.MkdirTemp("", "poisfact-beam-")
	if err != nil {
		return nil, fmt.Errorf("beamfit: private temporary directory: %w", err)
	}
	old, had := os.LookupEnv("TMPDIR")
	if err := os.Setenv("TMPDIR", dir); err != nil {
		os.Remove(dir)
		return nil, fmt.Errorf("beamfit: private temporary directory: %w", err)
	}
	return func() error {
		if had {
			os.Setenv("TMPDIR", old)
		} else {
			os.Unsetenv("TMPDIR")
		}
		return os.RemoveAll(dir)
	}, nil
}
