// Command cv3-ferretdb runs an embedded FerretDB (MongoDB wire protocol) on a SQLite directory,
// for bin/cv3-stack. It runs until SIGTERM or SIGINT and then exits cleanly.
//
//	cv3-ferretdb -listen 127.0.0.1:27017 -data /abs/dir [-log-level warn]
//	cv3-ferretdb -ping 127.0.0.1:27017     exit 0 when the server answers a real `ping` command
package main

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"math"
	"net"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"
	"time"

	"github.com/FerretDB/FerretDB/ferretdb"
)

func main() {
	listen := flag.String("listen", "127.0.0.1:27017", "TCP address to listen on")
	data := flag.String("data", "", "existing directory for the SQLite databases")
	level := flag.String("log-level", "warn", "log level: debug, info, warn or error")
	ping := flag.String("ping", "", "send a ping command to this address and exit 0 when it answers ok: 1")
	flag.Parse()

	if *ping != "" {
		if err := pingServer(*ping, 2*time.Second); err != nil {
			fmt.Fprintln(os.Stderr, "ping:", err)
			os.Exit(1)
		}
		return
	}

	if err := run(*listen, *data, *level); err != nil {
		fmt.Fprintln(os.Stderr, "cv3-ferretdb:", err)
		os.Exit(1)
	}
}

func run(listen, data, level string) error {
	if data == "" {
		return errors.New("-data is required")
	}
	dir, err := filepath.Abs(data)
	if err != nil {
		return err
	}
	if st, err := os.Stat(dir); err != nil || !st.IsDir() {
		return fmt.Errorf("data directory %q does not exist", dir)
	}

	var lvl slog.Level
	if err := lvl.UnmarshalText([]byte(level)); err != nil {
		return fmt.Errorf("bad -log-level: %w", err)
	}
	logger := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: lvl}))

	f, err := ferretdb.New(&ferretdb.Config{
		Listener:  ferretdb.ListenerConfig{TCP: listen},
		Logger:    logger,
		Handler:   "sqlite",
		SQLiteURL: "file:" + dir + "/",
	})
	if err != nil {
		return err
	}

	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, syscall.SIGINT)
	defer stop()

	// Printed whatever the log level: the address clients use.
	fmt.Fprintf(os.Stderr, "cv3-ferretdb: serving mongodb://%s/ on %s\n", listen, dir)
	err = f.Run(ctx)
	fmt.Fprintln(os.Stderr, "cv3-ferretdb: stopped")
	return err
}

// pingServer sends {ping: 1, $db: "admin"} as an OP_MSG and checks the reply's ok field.
func pingServer(addr string, timeout time.Duration) error {
	conn, err := net.DialTimeout("tcp", addr, timeout)
	if err != nil {
		return err
	}
	defer conn.Close()
	_ = conn.SetDeadline(time.Now().Add(timeout))

	var doc bytes.Buffer
	doc.Write([]byte{0, 0, 0, 0})
	doc.WriteByte(0x10) // int32
	doc.WriteString("ping\x00")
	_ = binary.Write(&doc, binary.LittleEndian, int32(1))
	doc.WriteByte(0x02) // string
	doc.WriteString("$db\x00")
	_ = binary.Write(&doc, binary.LittleEndian, int32(len("admin")+1))
	doc.WriteString("admin\x00")
	doc.WriteByte(0)
	body := doc.Bytes()
	binary.LittleEndian.PutUint32(body, uint32(len(body)))

	const opMsg = 2013
	msg := make([]byte, 16+4+1, 16+4+1+len(body))
	msg = append(msg, body...)
	binary.LittleEndian.PutUint32(msg[0:], uint32(len(msg)))
	binary.LittleEndian.PutUint32(msg[4:], 1) // requestID
	binary.LittleEndian.PutUint32(msg[12:], opMsg)
	// flagBits 0, section kind 0 (body) already zero
	if _, err := conn.Write(msg); err != nil {
		return err
	}

	var hdr [16]byte
	if _, err := io.ReadFull(conn, hdr[:]); err != nil {
		return err
	}
	n := binary.LittleEndian.Uint32(hdr[0:])
	if n < 16+4+1+5 || n > 16<<20 {
		return fmt.Errorf("bad reply length %d", n)
	}
	if op := binary.LittleEndian.Uint32(hdr[12:]); op != opMsg {
		return fmt.Errorf("unexpected reply opcode %d", op)
	}
	rest := make([]byte, n-16)
	if _, err := io.ReadFull(conn, rest); err != nil {
		return err
	}
	if rest[4] != 0 {
		return errors.New("reply has no body section")
	}
	ok, err := okField(rest[5:])
	if err != nil {
		return err
	}
	if ok != 1 {
		return fmt.Errorf("reply ok: %v", ok)
	}
	return nil
}

// okField finds the top-level "ok" number in a BSON document.
func okField(b []byte) (float64, error) {
	if len(b) < 5 {
		return 0, errors.New("short document")
	}
	end := int(binary.LittleEndian.Uint32(b))
	if end > len(b) {
		return 0, errors.New("truncated document")
	}
	i := 4
	for i < end-1 {
		t := b[i]
		i++
		j := bytes.IndexByte(b[i:end], 0)
		if j < 0 {
			return 0, errors.New("bad element name")
		}
		name := string(b[i : i+j])
		i += j + 1
		var size int
		switch t {
		case 0x01, 0x09, 0x11, 0x12: // double, datetime, timestamp, int64
			size = 8
		case 0x10: // int32
			size = 4
		case 0x08: // bool
			size = 1
		case 0x0A: // null
			size = 0
		case 0x07: // ObjectId
			size = 12
		case 0x02: // string
			size = 4 + int(binary.LittleEndian.Uint32(b[i:]))
		case 0x03, 0x04: // document, array
			size = int(binary.LittleEndian.Uint32(b[i:]))
		case 0x05: // binary
			size = 4 + 1 + int(binary.LittleEndian.Uint32(b[i:]))
		default:
			return 0, fmt.Errorf("unsupported BSON type 0x%02x before ok", t)
		}
		if i+size > end {
			return 0, errors.New("truncated element")
		}
		if name == "ok" {
			switch t {
			case 0x01:
				return math.Float64frombits(binary.LittleEndian.Uint64(b[i:])), nil
			case 0x10:
				return float64(int32(binary.LittleEndian.Uint32(b[i:]))), nil
			case 0x12:
				return float64(int64(binary.LittleEndian.Uint64(b[i:]))), nil
			case 0x08:
				if b[i] != 0 {
					return 1, nil
				}
				return 0, nil
			}
			return 0, fmt.Errorf("ok has BSON type 0x%02x", t)
		}
		i += size
	}
	return 0, errors.New("no ok field in reply")
}
