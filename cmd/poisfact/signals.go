package main

import (
	"context"
	"os"
	"os/signal"
	"sync"
	"syscall"
)

// stopSignals are the signals that stop a long command cleanly: the fit
// ends after its current sweep, what -out asks for is saved, the report is
// printed, and the process exits with 128 + the signal's number, as
// shells report a process killed by it (130 for SIGINT, 143 for SIGTERM).
var stopSignals = []os.Signal{os.Interrupt, syscall.SIGTERM}

// interruption is the context of a long command and the signal, if any,
// that cancelled it.
type interruption struct {
	ctx    context.Context
	cancel context.CancelFunc
	ch     chan os.Signal
	mu     sync.Mutex
	sig    os.Signal
}

// onSignals returns a context cancelled by the first of stopSignals. A
// second signal is left to its default action, so a user can still kill
// a command that does not stop quickly enough.
func onSignals() *interruption {
	in := &interruption{ch: make(chan os.Signal, 1)}
	in.ctx, in.cancel = context.WithCancel(context.Background())
	signal.Notify(in.ch, stopSignals...)
	go func() {
		s, ok := <-in.ch
		if !ok {
			return
		}
		in.mu.Lock()
		in.sig = s
		in.mu.Unlock()
		signal.Reset(stopSignals...)
		in.cancel()
	}()
	return in
}

// stop releases the signal handler.
func (in *interruption) stop() {
	signal.Stop(in.ch)
	close(in.ch)
	in.cancel()
}

// status returns the exit status for a command that otherwise succeeded:
// 0, or 128 + the number of the signal that stopped it.
func (in *interruption) status() int {
	in.mu.Lock()
	defer in.mu.Unlock()
	if s, ok := in.sig.(syscall.Signal); ok {
		return 128 + int(s)
	}
	return 0
}
