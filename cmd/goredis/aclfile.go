package main

import (
	"errors"
	"os"
	"strconv"
	"time"
)

// aclFile reads and writes the aclfile for the engine (ACL LOAD, ACL
// SAVE), as Redis's ACLLoadFromFile and ACLSaveToFile do.
type aclFile struct{}

func (aclFile) Read(path string) (string, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return "", errors.New(strerror(err))
	}
	return string(b), nil
}

// Write writes a temporary file next to the aclfile and renames it over
// the old one, so a crash never leaves half a file.
func (aclFile) Write(path, text string) error {
	tmp := path + ".tmp-" + strconv.Itoa(os.Getpid()) + "-" + strconv.FormatInt(time.Now().UnixMilli(), 10)
	f, err := os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE, 0o644)
	if err != nil {
		return errors.New("Opening temp ACL file for ACL SAVE: " + strerror(err))
	}
	_, werr := f.WriteString(text)
	cerr := f.Close()
	if werr == nil {
		werr = cerr
	}
	if werr != nil {
		_ = os.Remove(tmp)
		return errors.New("Writing ACL file for ACL SAVE: " + strerror(werr))
	}
	if err := os.Rename(tmp, path); err != nil {
		_ = os.Remove(tmp)
		return errors.New("Renaming ACL file for ACL SAVE: " + strerror(err))
	}
	return nil
}
