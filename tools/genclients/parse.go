package main

import (
	"fmt"
	"go/ast"
	"go/build"
	"go/parser"
	"go/token"
	"go/types"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
)

// The interfaces are read from source, not with reflect: the generator
// then builds even while a generated file no longer satisfies an
// interface that just gained a method, which is exactly when it is run.

// method is one interface method, its types rendered for the generated
// file.
type method struct {
	name    string
	params  []string // a variadic last parameter starts with "..."
	results []string
}

// pkgSource is one package's parsed source files.
type pkgSource struct {
	path  string
	name  string
	files []*ast.File
	// types are the package-level type specs, with the file declaring each.
	types map[string]typeDecl
	// idents are every package-level name, which an import in a generated
	// file must not shadow.
	idents map[string]bool
}

type typeDecl struct {
	spec *ast.TypeSpec
	file *ast.File
}

// loader parses packages on demand, each once.
type loader struct {
	root string
	fset *token.FileSet
	pkgs map[string]*pkgSource
}

func newLoader(root string) *loader {
	return &loader{root: root, fset: token.NewFileSet(), pkgs: map[string]*pkgSource{}}
}

// dir finds an import path's directory: sagekey's own packages in the
// repository, others (the SDK) where the go command has them.
func (l *loader) dir(importPath string) (string, error) {
	if rest, ok := strings.CutPrefix(importPath, module+"/"); ok {
		return filepath.Join(l.root, filepath.FromSlash(rest)), nil
	}
	cmd := exec.Command("go", "list", "-f", "{{.Dir}}", importPath)
	cmd.Dir = l.root
	out, err := cmd.Output()
	if err != nil {
		if ee, ok := err.(*exec.ExitError); ok {
			return "", fmt.Errorf("go list %s: %v: %s", importPath, err, ee.Stderr)
		}
		return "", fmt.Errorf("go list %s: %w", importPath, err)
	}
	return strings.TrimSpace(string(out)), nil
}

// load parses the package's non-test files for this platform, leaving
// out sagekey's own generated adapters (they declare no interface).
func (l *loader) load(importPath string) (*pkgSource, error) {
	if p, ok := l.pkgs[importPath]; ok {
		return p, nil
	}
	dir, err := l.dir(importPath)
	if err != nil {
		return nil, err
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	p := &pkgSource{path: importPath, types: map[string]typeDecl{}, idents: map[string]bool{}}
	own := strings.HasPrefix(importPath, module+"/")
	for _, e := range entries {
		name := e.Name()
		if e.IsDir() || !strings.HasSuffix(name, ".go") || strings.HasSuffix(name, "_test.go") || (own && name == outFile) {
			continue
		}
		if ok, err := build.Default.MatchFile(dir, name); err != nil || !ok {
			continue
		}
		f, err := parser.ParseFile(l.fset, filepath.Join(dir, name), nil, parser.SkipObjectResolution)
		if err != nil {
			return nil, err
		}
		p.name = f.Name.Name
		p.files = append(p.files, f)
		for _, d := range f.Decls {
			collectDecl(p, f, d)
		}
	}
	if p.name == "" {
		return nil, fmt.Errorf("%s: no Go files in %s", importPath, dir)
	}
	l.pkgs[importPath] = p
	return p, nil
}

func collectDecl(p *pkgSource, f *ast.File, d ast.Decl) {
	switch d := d.(type) {
	case *ast.FuncDecl:
		if d.Recv == nil {
			p.idents[d.Name.Name] = true
		}
	case *ast.GenDecl:
		for _, s := range d.Specs {
			switch s := s.(type) {
			case *ast.TypeSpec:
				p.types[s.Name.Name] = typeDecl{spec: s, file: f}
				p.idents[s.Name.Name] = true
			case *ast.ValueSpec:
				for _, n := range s.Names {
					p.idents[n.Name] = true
				}
			}
		}
	}
}

// ifaceMethods returns the method set of the interface named name in
// pkg, embedded interfaces included, sorted by name, with types rendered
// for a file of package target whose imports are im.
func (l *loader) ifaceMethods(pkg *pkgSource, name, target string, im *imports) ([]method, error) {
	byName := map[string]method{}
	if err := l.addMethods(pkg, name, target, im, byName); err != nil {
		return nil, err
	}
	out := make([]method, 0, len(byName))
	for _, m := range byName {
		out = append(out, m)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].name < out[j].name })
	return out, nil
}

func (l *loader) addMethods(pkg *pkgSource, name, target string, im *imports, into map[string]method) error {
	d, ok := pkg.types[name]
	if !ok {
		return fmt.Errorf("%s declares no type %s", pkg.path, name)
	}
	it, ok := d.spec.Type.(*ast.InterfaceType)
	if !ok {
		return fmt.Errorf("%s.%s is not an interface", pkg.path, name)
	}
	r := renderer{pkg: pkg, fileImports: fileImports(d.file), target: target, im: im}
	for _, f := range it.Methods.List {
		switch t := f.Type.(type) {
		case *ast.FuncType:
			m, err := r.method(f.Names[0].Name, t)
			if err != nil {
				return fmt.Errorf("%s.%s.%s: %w", pkg.path, name, f.Names[0].Name, err)
			}
			// An interface may list a method twice through two embedded
			// ones (FullAPI's ListTags); Go allows it when they agree.
			if prev, dup := into[m.name]; dup && prev.signature() != m.signature() {
				return fmt.Errorf("%s.%s: two signatures of %s: %s and %s", pkg.path, name, m.name, prev.signature(), m.signature())
			}
			into[m.name] = m
		case *ast.Ident: // an embedded interface of the same package
			if err := l.addMethods(pkg, t.Name, target, im, into); err != nil {
				return err
			}
		case *ast.SelectorExpr: // an embedded interface of another package
			x, ok := t.X.(*ast.Ident)
			if !ok {
				return fmt.Errorf("%s.%s: unsupported embedded %T", pkg.path, name, t.X)
			}
			other, err := l.load(r.fileImports[x.Name])
			if err != nil {
				return err
			}
			if err := l.addMethods(other, t.Sel.Name, target, im, into); err != nil {
				return err
			}
		default:
			return fmt.Errorf("%s.%s: unsupported interface element %T (type sets are not client methods)", pkg.path, name, f.Type)
		}
	}
	return nil
}

// signature is the method's func type, as the adapter's field declares it.
func (m method) signature() string {
	s := "func(" + strings.Join(m.params, ", ") + ")"
	switch len(m.results) {
	case 0:
		return s
	case 1:
		return s + " " + m.results[0]
	}
	return s + " (" + strings.Join(m.results, ", ") + ")"
}

// fileImports maps the names a file's imports are used under to their paths.
func fileImports(f *ast.File) map[string]string {
	out := map[string]string{}
	for _, s := range f.Imports {
		p := strings.Trim(s.Path.Value, `"`)
		name := importName(p)
		if s.Name != nil {
			name = s.Name.Name
		}
		out[name] = p
	}
	return out
}

var majorVersion = regexp.MustCompile(`^v[0-9]+$`)

// importName is the name a package is imported under without an alias:
// its path's last element, or the one before a /vN major version.
func importName(importPath string) string {
	base := path.Base(importPath)
	if majorVersion.MatchString(base) {
		base = path.Base(path.Dir(importPath))
	}
	return base
}

// renderer writes the types of one interface's methods as a file of
// package target spells them.
type renderer struct {
	pkg         *pkgSource
	fileImports map[string]string
	target      string
	im          *imports
}

func (r renderer) method(name string, t *ast.FuncType) (method, error) {
	m := method{name: name}
	var err error
	if m.params, err = r.fields(t.Params); err != nil {
		return m, err
	}
	m.results, err = r.fields(t.Results)
	return m, err
}

func (r renderer) fields(fl *ast.FieldList) ([]string, error) {
	if fl == nil {
		return nil, nil
	}
	var out []string
	for _, f := range fl.List {
		s, err := r.expr(f.Type)
		if err != nil {
			return nil, err
		}
		for range max(len(f.Names), 1) {
			out = append(out, s)
		}
	}
	return out, nil
}

func (r renderer) expr(e ast.Expr) (string, error) {
	switch e := e.(type) {
	case *ast.Ident:
		if obj := types.Universe.Lookup(e.Name); obj != nil {
			return e.Name, nil
		}
		if r.pkg.path == r.target {
			return e.Name, nil
		}
		return r.im.use(r.pkg.path) + "." + e.Name, nil
	case *ast.SelectorExpr:
		x, ok := e.X.(*ast.Ident)
		p := ""
		if ok {
			p = r.fileImports[x.Name]
		}
		if p == "" {
			return "", fmt.Errorf("cannot resolve %s.%s", x, e.Sel.Name)
		}
		if p == r.target {
			return e.Sel.Name, nil
		}
		return r.im.use(p) + "." + e.Sel.Name, nil
	case *ast.StarExpr:
		s, err := r.expr(e.X)
		return "*" + s, err
	case *ast.Ellipsis:
		s, err := r.expr(e.Elt)
		return "..." + s, err
	case *ast.ArrayType:
		if e.Len != nil {
			return "", fmt.Errorf("unsupported array type")
		}
		s, err := r.expr(e.Elt)
		return "[]" + s, err
	case *ast.MapType:
		k, err := r.expr(e.Key)
		if err != nil {
			return "", err
		}
		v, err := r.expr(e.Value)
		return "map[" + k + "]" + v, err
	case *ast.FuncType:
		m, err := r.method("", e)
		return m.signature(), err
	case *ast.InterfaceType:
		if len(e.Methods.List) == 0 {
			return "interface{}", nil
		}
	}
	return "", fmt.Errorf("unsupported type expression %T", e)
}

// imports are the packages a generated file uses, each under a name that
// shadows nothing the package declares.
type imports struct {
	taken  map[string]bool   // the package's own names
	byPath map[string]string // path → name in the file
}

func newImports(target *pkgSource) *imports {
	return &imports{taken: target.idents, byPath: map[string]string{}}
}

func (im *imports) use(importPath string) string {
	if n, ok := im.byPath[importPath]; ok {
		return n
	}
	used := map[string]bool{}
	for _, n := range im.byPath {
		used[n] = true
	}
	base := importName(importPath)
	name := base
	for i := 2; im.taken[name] || used[name]; i++ {
		name = fmt.Sprintf("%s%d", base, i)
	}
	im.byPath[importPath] = name
	return name
}

// specs are the file's import lines: the standard library first, then
// the rest, each group sorted by path, an alias only where the name
// differs from the package's.
func (im *imports) specs() (std, other []string) {
	paths := make([]string, 0, len(im.byPath))
	for p := range im.byPath {
		paths = append(paths, p)
	}
	sort.Strings(paths)
	for _, p := range paths {
		s := fmt.Sprintf("%q", p)
		if n := im.byPath[p]; n != importName(p) {
			s = n + " " + s
		}
		if strings.Contains(strings.Split(p, "/")[0], ".") {
			other = append(other, s)
		} else {
			std = append(std, s)
		}
	}
	return std, other
}
