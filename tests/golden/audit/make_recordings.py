#!/usr/bin/env python3
"""Writes the recorded answers the `audit` golden cases replay (`--from-dir`), in the format
`--record` writes: one envelope per URL, at the path `net::store::relative_path` gives it.

The organization `octo-org` (synthetic; every field as the APIs document it, see the sources
cited in src/audit/plan.rs and src/drift/ledger/):

- pywidget   PyPI, declared; 1.1.0 uploaded without provenance after 1.0.0 by the publisher
- testwidget TestPyPI, inferred from pyproject.toml; as inferred
- rustcrate  crates.io, inferred from Cargo.toml; versions by the publisher (configs need a token)
- jswidget   npm, inferred from package.json; 1.1.0 by a token after 1.0.0 by the publisher
- gemwidget  RubyGems, inferred from the gemspec (trusted publishers need a key)
- netwidget  NuGet, inferred from the .csproj (NuGet's state is not readable)
- legacy     npm, publishes with NPM_TOKEN: a stored token
- orphan     PyPI, declared for release.yml, which the repository does not have
- secret     private, its files not readable without access
- old-thing  archived (skipped); forked: a fork (skipped)
- ghost      named in a --repos file, not there (or not visible)

Run from this folder: python3 make_recordings.py (rewrites org/recorded).
"""
import base64
import hashlib
import json
import shutil
from pathlib import Path

HERE = Path(__file__).resolve().parent
OUT = HERE / "org" / "recorded"
GH = "https://api.github.com"

PYPI_WORKFLOW = """on:
  push:
    tags: ["v*"]
permissions: {}
jobs:
  publish:
    runs-on: ubuntu-latest
    environment: pypi
    permissions:
      id-token: write
    steps:
      - uses: actions/download-artifact@v4
      - uses: pypa/gh-action-pypi-publish@release/v1
"""
TESTPYPI_WORKFLOW = PYPI_WORKFLOW.replace("environment: pypi", "environment: testpypi") + \
    "        with:\n          repository-url: https://test.pypi.org/legacy/\n"
CRATE_WORKFLOW = """on:
  push:
    tags: ["v*"]
permissions: {}
jobs:
  crate:
    runs-on: ubuntu-latest
    environment: release
    permissions: {id-token: write}
    steps:
      - uses: rust-lang/crates-io-auth-action@v1
        id: auth
      - run: cargo publish
        env:
          CARGO_REGISTRY_TOKEN: ${{ steps.auth.outputs.token }}
"""
NPM_WORKFLOW = """on:
  push:
    tags: ["v*"]
permissions: {}
jobs:
  npm:
    runs-on: ubuntu-latest
    environment: release
    permissions: {id-token: write}
    steps:
      - uses: actions/setup-node@v4
        with: {node-version: 24, registry-url: "https://registry.npmjs.org"}
      - run: npm publish --provenance --access public
"""
NPM_TOKEN_WORKFLOW = """on:
  push:
    tags: ["v*"]
permissions: {}
jobs:
  npm:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/setup-node@v4
        with: {node-version: 24, registry-url: "https://registry.npmjs.org"}
      - run: npm publish --access public
        env:
          NODE_AUTH_TOKEN: ${{ secrets.NPM_TOKEN }}
"""
GEM_WORKFLOW = """on:
  push:
    tags: ["v*"]
permissions: {}
jobs:
  gem:
    runs-on: ubuntu-latest
    environment: release
    permissions: {id-token: write, contents: write}
    steps:
      - uses: rubygems/release-gem@v1
"""
NUGET_WORKFLOW = """on:
  push:
    tags: ["v*"]
permissions: {}
jobs:
  nuget:
    runs-on: ubuntu-latest
    environment: release
    permissions: {id-token: write}
    steps:
      - uses: NuGet/login@v1
        id: login
        with: {user: octo-bot}
      - run: dotnet nuget push bin/*.nupkg --api-key ${{ steps.login.outputs.NUGET_API_KEY }} --source https://api.nuget.org/v3/index.json
"""


def declared(registry, project, repo, workflow, environment):
    return (f'[[publisher]]\nregistry = "{registry}"\nproject = "{project}"\nowner = "octo-org"\n'
            f'repository = "{repo}"\nworkflow = "{workflow}"\nenvironment = "{environment}"\n')


REPOS = {
    "pywidget": {"expected-publishers.toml": declared("pypi", "pywidget", "pywidget", "release.yml", "pypi"),
                 ".github/workflows/release.yml": PYPI_WORKFLOW,
                 "pyproject.toml": '[project]\nname = "pywidget"\n'},
    "testwidget": {".github/workflows/release.yml": TESTPYPI_WORKFLOW,
                   "pyproject.toml": '[project]\nname = "testwidget"\n'},
    "rustcrate": {".github/workflows/release.yml": CRATE_WORKFLOW,
                  "Cargo.toml": '[package]\nname = "rustcrate"\nversion = "1.0.0"\n'},
    "jswidget": {".github/workflows/release.yml": NPM_WORKFLOW,
                 "package.json": '{"name": "jswidget", "version": "1.1.0"}\n'},
    "gemwidget": {".github/workflows/release.yml": GEM_WORKFLOW,
                  "gemwidget.gemspec": 'Gem::Specification.new do |s|\n  s.name = "gemwidget"\nend\n'},
    "netwidget": {".github/workflows/release.yml": NUGET_WORKFLOW,
                  "src/NetWidget.csproj": '<Project Sdk="Microsoft.NET.Sdk">\n  <PropertyGroup>\n    <PackageId>NetWidget</PackageId>\n  </PropertyGroup>\n</Project>\n'},
    "legacy": {".github/workflows/release.yml": NPM_TOKEN_WORKFLOW,
               "package.json": '{"name": "legacy-js", "version": "3.0.0"}\n'},
    "orphan": {".github/expected-publishers.toml": declared("pypi", "orphan", "orphan", "release.yml", "pypi"),
               ".github/workflows/publish.yml": PYPI_WORKFLOW,
               "README.md": "# orphan\n"},
}


def write(url, body, status=200, headers=None, services=None):
    """The envelope of one answer at the path relative_path gives `url`."""
    for base, sid in (("https://api.github.com", "github"), ("https://test.pypi.org", "testpypi"),
                      ("https://pypi.org", "pypi"), ("https://crates.io", "crates-io"),
                      ("https://rubygems.org", "rubygems"), ("https://registry.npmjs.org", "npm")):
        if url.startswith(base):
            rest = url[len(base):]
            break
    else:
        raise SystemExit(f"no service for {url}")
    path, _, query = rest.partition("?")
    clean = lambda s: "".join(c if c.isalnum() or c in "._-+=@,&~" else "_" for c in s) or "_"
    segs = [clean(s) for s in path.lstrip("/").split("/")]
    if path == "" or path.endswith("/"):
        segs[-1] = "index"
    last = segs.pop()
    name = f"{last}@{clean(query)}.json" if query else f"{last}.json"
    f = OUT.joinpath(sid, *segs, name)
    f.parent.mkdir(parents=True, exist_ok=True)
    env = {"status": status}
    if headers:
        env["headers"] = headers
    env["body"] = body
    f.write_text(json.dumps(env, indent=2) + "\n")


def sha(text):
    return hashlib.sha1(text.encode()).hexdigest()


def github():
    listing = []
    for i, name in enumerate(list(REPOS) + ["secret", "old-thing", "forked"]):
        listing.append({"full_name": f"octo-org/{name}", "owner": {"login": "octo-org", "id": 4242},
                        "default_branch": "main", "archived": name == "old-thing",
                        "fork": name == "forked", "private": name == "secret",
                        "visibility": "private" if name == "secret" else "public"})
    first = f"{GH}/orgs/octo-org/repos?type=all&per_page=100"
    write(first, listing[:6], headers={"link": f'<{first}&page=2>; rel="next", <{first}&page=2>; rel="last"',
                                       "x-ratelimit-remaining": "4990"})
    write(f"{first}&page=2", listing[6:], headers={"x-ratelimit-remaining": "4989"})
    for name, files in REPOS.items():
        tree = [{"path": p, "mode": "100644", "type": "blob", "sha": sha(t), "size": len(t)}
                for p, t in files.items()]
        tree.insert(0, {"path": ".github", "mode": "040000", "type": "tree", "sha": sha(name)})
        write(f"{GH}/repos/octo-org/{name}/git/trees/main?recursive=1",
              {"sha": sha(name), "tree": tree, "truncated": False})
        for p, t in files.items():
            if p == "README.md":
                continue
            write(f"{GH}/repos/octo-org/{name}/git/blobs/{sha(t)}",
                  {"sha": sha(t), "size": len(t), "encoding": "base64",
                   "content": base64.encodebytes(t.encode()).decode()})
    # --repos: the repository itself, and one that is not there.
    write(f"{GH}/repos/octo-org/pywidget", listing[0], headers={"x-ratelimit-remaining": "4988"})
    write(f"{GH}/repos/octo-org/ghost", {"message": "Not Found",
          "documentation_url": "https://docs.github.com/rest/repos/repos#get-a-repository", "status": "404"},
          status=404)
    write(f"{GH}/repos/octo-org/secret/git/trees/main?recursive=1",
          {"message": "Not Found", "documentation_url": "https://docs.github.com/rest/git/trees#get-a-tree",
           "status": "404"}, status=404)


def bundle(repo, workflow, environment):
    return {"publisher": {"kind": "GitHub", "repository": f"octo-org/{repo}", "workflow": workflow,
                          "environment": environment},
            "attestations": [{"version": 1, "verification_material": {"certificate": "MIIB",
                              "transparency_entries": []},
                              "envelope": {"statement": "e30=", "signature": "MEUC"}}]}


def pypi(base, project, versions):
    """versions: [(version, upload time, publisher bundle or None)]"""
    releases, files = {}, []
    for v, at, b in versions:
        names = [f"{project}-{v}.tar.gz", f"{project}-{v}-py3-none-any.whl"]
        releases[v] = [{"filename": n, "upload_time_iso_8601": at} for n in names]
        for n in names:
            entry = {"filename": n, "url": f"https://files.pythonhosted.org/packages/xx/{n}",
                     "hashes": {"sha256": "00"}}
            if b:
                url = f"{base}/integrity/{project}/{v}/{n}/provenance"
                entry["provenance"] = url
                write(url, {"version": 1, "attestation_bundles": [b]})
            else:
                entry["provenance"] = None
            files.append(entry)
    latest = versions[-1][0]
    write(f"{base}/pypi/{project}/json", {"info": {"name": project, "version": latest},
                                          "urls": releases[latest], "releases": releases})
    write(f"{base}/simple/{project}/", {"meta": {"api-version": "1.4"}, "name": project,
                                        "versions": [v for v, _, _ in versions], "files": files})


def npm(name, versions):
    """versions: [(version, time, trusted: bool, provenance workflow or None)]"""
    doc = {"name": name, "time": {"created": versions[0][1]}, "versions": {}}
    for v, at, trusted, workflow in versions:
        doc["time"][v] = at
        user = {"name": "GitHub Actions", "email": "npm-oidc-no-reply@github.com",
                "trustedPublisher": {"id": "github", "oidcConfigId": "oidc:0d1e"}} if trusted \
            else {"name": "alice", "email": "alice@example.com"}
        m = {"name": name, "version": v, "_npmUser": user, "dist": {"tarball": f"https://registry.npmjs.org/{name}/-/{name}-{v}.tgz"}}
        if workflow:
            url = f"https://registry.npmjs.org/-/npm/v1/attestations/{name}@{v}"
            m["dist"]["attestations"] = {"url": url, "provenance": {"predicateType": "https://slsa.dev/provenance/v1"}}
            statement = {"_type": "https://in-toto.io/Statement/v1", "predicateType": "https://slsa.dev/provenance/v1",
                         "predicate": {"buildDefinition": {"externalParameters": {"workflow": {
                             "ref": f"refs/tags/v{v}", "repository": workflow[0], "path": workflow[1]}}}}}
            payload = base64.b64encode(json.dumps(statement).encode()).decode()
            write(url, {"attestations": [
                {"predicateType": "https://github.com/npm/attestation/tree/main/specs/publish/v0.1", "bundle": {}},
                {"predicateType": "https://slsa.dev/provenance/v1",
                 "bundle": {"dsseEnvelope": {"payload": payload, "payloadType": "application/vnd.in-toto+json"}}}]})
        doc["versions"][v] = m
    write(f"https://registry.npmjs.org/{name}", doc)


def registries():
    pypi("https://pypi.org", "pywidget", [
        ("1.0.0", "2026-09-01T10:00:00.000000Z", bundle("pywidget", "release.yml", "pypi")),
        ("1.1.0", "2026-10-01T10:00:00.000000Z", None)])
    pypi("https://test.pypi.org", "testwidget", [
        ("0.1.0", "2026-09-01T10:00:00.000000Z", bundle("testwidget", "release.yml", "testpypi"))])
    pypi("https://pypi.org", "orphan", [
        ("2.0.0", "2026-09-01T10:00:00.000000Z", bundle("orphan", "publish.yml", "pypi"))])
    write("https://crates.io/api/v1/crates/rustcrate", {"crate": {"name": "rustcrate", "max_version": "1.0.0"}})
    write("https://crates.io/api/v1/crates/rustcrate/versions?sort=date&per_page=10", {"versions": [
        {"num": "1.0.0", "created_at": "2026-10-01T10:00:00Z", "published_by": None,
         "trustpub_data": {"provider": "github", "repository": "octo-org/rustcrate", "run_id": "17", "sha": "abc"}},
        {"num": "0.9.0", "created_at": "2026-09-01T10:00:00Z", "published_by": None,
         "trustpub_data": {"provider": "github", "repository": "octo-org/rustcrate", "run_id": "11", "sha": "abd"}}],
        "meta": {"total": 2, "next_page": None}})
    write("https://rubygems.org/api/v1/gems/gemwidget.json", {"name": "gemwidget", "version": "1.0.0"})
    npm("jswidget", [
        ("1.0.0", "2026-09-01T10:00:00.000Z", True, ("https://github.com/octo-org/jswidget", ".github/workflows/release.yml")),
        ("1.1.0", "2026-10-01T10:00:00.000Z", False, None)])
    npm("legacy-js", [
        ("2.0.0", "2026-08-01T10:00:00.000Z", False, None),
        ("3.0.0", "2026-10-01T10:00:00.000Z", False, None)])


if __name__ == "__main__":
    shutil.rmtree(OUT, ignore_errors=True)
    github()
    registries()
