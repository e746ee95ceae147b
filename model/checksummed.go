package model

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// A checksummed directory holds named files and SHA256SUMS, the SHA-256 of
// each in sha256sum's format. It is written whole into a temporary
// directory beside its place, synced and renamed there, so that a crash
// never leaves a partial one; read back, every file is checked against its
// sum. Saved models are stored this way.

// sumsName is the checksum file of a checksummed directory.
const sumsName = "SHA256SUMS"

// writeChecksummed writes files, in the order of names, and SHA256SUMS
// into dir, replacing a checksummed directory already there (and nothing
// else).
func writeChecksummed(dir string, names []string, files map[string][]byte) error {
	if err := CheckSaveDir(dir); err != nil {
		return err
	}
	tmp, err := mkdirTemp(dir)
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp) // a no-op once renamed
	var sums bytes.Buffer
	for _, name := range names {
		data := files[name]
		if err := writeSynced(filepath.Join(tmp, name), data); err != nil {
			return err
		}
		sum := sha256.Sum256(data)
		fmt.Fprintf(&sums, "%s  %s\n", hex.EncodeToString(sum[:]), name)
	}
	if err := writeSynced(filepath.Join(tmp, sumsName), sums.Bytes()); err != nil {
		return err
	}
	return replaceDir(tmp, dir)
}

// CheckSaveDir reports whether SaveModel could write a model to dir: dir
// is missing or holds a saved model (which is replaced), and its parent
// is a directory where a new one can be made. Call it before a long fit,
// so that a bad -out is found before the work, not after.
func CheckSaveDir(dir string) error {
	if info, err := os.Stat(dir); err == nil {
		if !info.IsDir() {
			return fmt.Errorf("model: %s exists and is not a directory", dir)
		}
		if _, err := os.Stat(filepath.Join(dir, sumsName)); err != nil {
			return fmt.Errorf("model: %s exists and is not a saved model; not replacing it", dir)
		}
	}
	tmp, err := mkdirTemp(dir)
	if err != nil {
		return err
	}
	return os.Remove(tmp)
}

// mkdirTemp makes a new directory beside dir, with the permissions the
// umask leaves of 0777 (os.MkdirTemp would make it 0700).
func mkdirTemp(dir string) (string, error) {
	parent := filepath.Dir(dir)
	if info, err := os.Stat(parent); err != nil || !info.IsDir() {
		return "", fmt.Errorf("model: cannot save to %s: its parent directory %s does not exist", dir, parent)
	}
	for try := 0; ; try++ {
		name := filepath.Join(parent, fmt.Sprintf(".%s.tmp%d-%d", filepath.Base(dir), os.Getpid(), try))
		err := os.Mkdir(name, 0o777)
		if err == nil {
			return name, nil
		}
		if !errors.Is(err, fs.ErrExist) || try == 1000 {
			return "", fmt.Errorf("model: cannot save to %s: %w", dir, err)
		}
	}
}

// replaceDir renames tmp to dir, moving an existing dir aside first and
// removing it after.
func replaceDir(tmp, dir string) error {
	var old string
	if _, err := os.Stat(dir); err == nil {
		old = tmp + ".old"
		if err := os.Rename(dir, old); err != nil {
			return fmt.Errorf("model: %w", err)
		}
	}
	if err := os.Rename(tmp, dir); err != nil {
		if old != "" {
			os.Rename(old, dir)
		}
		return fmt.Errorf("model: %w", err)
	}
	if old != "" {
		os.RemoveAll(old)
	}
	return nil
}

func writeSynced(path string, data []byte) error {
	f, err := os.Create(path)
	if err != nil {
		return fmt.Errorf("model: %w", err)
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		return fmt.Errorf("model: %w", err)
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return fmt.Errorf("model: %w", err)
	}
	return f.Close()
}

// readVerified reads SHA256SUMS and every file it lists, checking each
// file's hash.
func readVerified(dir string) (map[string][]byte, error) {
	sums, err := os.ReadFile(filepath.Join(dir, sumsName))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("model: not a saved model (no %s)", sumsName)
	}
	if err != nil {
		return nil, fmt.Errorf("model: %w", err)
	}
	files := map[string][]byte{}
	sc := bufio.NewScanner(bytes.NewReader(sums))
	line := 0
	for sc.Scan() {
		line++
		hexSum, name, ok := strings.Cut(sc.Text(), "  ")
		want, herr := hex.DecodeString(hexSum)
		if !ok || herr != nil || len(want) != sha256.Size || name == "" || strings.ContainsAny(name, "/\\") {
			return nil, fmt.Errorf("%w: %s line %d is not \"<sha256>  <file>\"", ErrCorrupt, sumsName, line)
		}
		data, err := os.ReadFile(filepath.Join(dir, name))
		if errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("%w: %s lists %s, which is missing", ErrCorrupt, sumsName, name)
		}
		if err != nil {
			return nil, fmt.Errorf("%w: %v", ErrCorrupt, err)
		}
		if got := sha256.Sum256(data); !bytes.Equal(got[:], want) {
			return nil, fmt.Errorf("%w: %s does not match its SHA-256 in %s (truncated or altered)", ErrCorrupt, name, sumsName)
		}
		files[name] = data
	}
	if _, ok := files[manifestName]; !ok {
		return nil, fmt.Errorf("%w: %s does not list %s", ErrCorrupt, sumsName, manifestName)
	}
	return files, nil
}
