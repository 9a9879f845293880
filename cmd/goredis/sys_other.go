//go:build !linux

package main

// disableTHP: transparent huge pages are a Linux feature.
func disableTHP() {}
