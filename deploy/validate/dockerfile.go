package validate

import (
	"encoding/json"
	"fmt"
	"strings"
)

// Instruction is one Dockerfile instruction with its continuation lines
// joined.
type Instruction struct {
	Cmd  string // upper case: FROM, RUN, COPY, ...
	Args string
}

// Stage is a build stage: its FROM line and what follows it.
type Stage struct {
	From, Name   string
	Instructions []Instruction
}

// ParseDockerfile splits a Dockerfile into stages. It understands what this
// project's Dockerfile uses (comments, backslash continuations, AS names),
// not the whole syntax; heredocs, for one, are not supported.
func ParseDockerfile(data []byte) ([]Stage, error) {
	var stages []Stage
	var pending strings.Builder
	flush := func() error {
		line := strings.TrimSpace(pending.String())
		pending.Reset()
		if line == "" {
			return nil
		}
		cmd, args, _ := strings.Cut(line, " ")
		in := Instruction{Cmd: strings.ToUpper(cmd), Args: strings.TrimSpace(args)}
		if in.Cmd == "FROM" {
			f := strings.Fields(in.Args)
			st := Stage{From: f[0]}
			if len(f) == 3 && strings.EqualFold(f[1], "AS") {
				st.Name = f[2]
			}
			stages = append(stages, st)
			return nil
		}
		if len(stages) == 0 {
			return fmt.Errorf("%s before the first FROM", in.Cmd)
		}
		stages[len(stages)-1].Instructions = append(stages[len(stages)-1].Instructions, in)
		return nil
	}
	for _, raw := range strings.Split(string(data), "\n") {
		line := strings.TrimSpace(raw)
		if strings.HasPrefix(line, "#") {
			continue
		}
		if cont, ok := strings.CutSuffix(line, `\`); ok {
			pending.WriteString(cont + " ")
			continue
		}
		pending.WriteString(line)
		if err := flush(); err != nil {
			return nil, err
		}
	}
	if err := flush(); err != nil {
		return nil, err
	}
	return stages, nil
}

// Args returns the arguments of every cmd instruction in the stage.
func (s Stage) Args(cmd string) []string {
	var out []string
	for _, in := range s.Instructions {
		if in.Cmd == cmd {
			out = append(out, in.Args)
		}
	}
	return out
}

// ExecForm parses the JSON (exec) form of ENTRYPOINT, CMD or VOLUME. The
// shell form would run through /bin/sh, which distroless does not have.
func ExecForm(args string) ([]string, error) {
	var out []string
	if err := json.Unmarshal([]byte(args), &out); err != nil {
		return nil, fmt.Errorf("%q is not in exec (JSON) form: %w", args, err)
	}
	return out, nil
}
