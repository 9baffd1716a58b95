//! Recognition, one case per step kind: each input a minimal job as real repositories write it.

use super::*;
use crate::workflow::Workflow;

/// Files for a test: a package.json and composite actions.
#[derive(Default)]
struct Fake {
    files: Vec<(&'static str, &'static str)>,
    actions: Vec<Action>,
}

impl Files for Fake {
    fn action(&self, dir: &str) -> Option<&Action> {
        self.actions.iter().find(|a| a.uses == format!("./{dir}"))
    }
    fn read(&self, path: &str) -> Option<String> {
        self.files
            .iter()
            .find(|(p, _)| *p == path)
            .map(|(_, t)| (*t).to_owned())
    }
    fn list(&self, _: &str) -> Vec<String> {
        Vec::new()
    }
}

fn steps_in(yaml: &str, files: &Fake) -> Vec<PublishStep> {
    let w = Workflow::parse(std::path::Path::new("release.yml"), yaml.to_owned()).unwrap();
    w.jobs
        .iter()
        .flat_map(|j| recognise(&w, j, files))
        .collect()
}

fn steps(yaml: &str) -> Vec<PublishStep> {
    steps_in(yaml, &Fake::default())
}

fn kinds(found: &[PublishStep]) -> Vec<(Tool, Target, bool)> {
    found
        .iter()
        .map(|p| (p.tool, p.target.clone(), p.auth == Auth::TrustedPublishing))
        .collect()
}

const CRATES: Target = Target::Registry(Registry::CratesIo);
const NPM: Target = Target::Registry(Registry::Npm);

#[test]
fn a_repeated_command_is_located_at_each_occurrence() {
    let found = steps(
        "jobs:\n  a:\n    steps:\n      - run: |\n          twine upload dist/*\n      - run: |\n          echo hi\n          twine upload dist/*\n",
    );
    let lines: Vec<usize> = found.iter().map(|p| p.span.line).collect();
    assert_eq!(lines, [5, 8]);
    assert_eq!(found[1].span.column, 11);
}

#[test]
fn rehearsals_and_comments_are_not_uploads() {
    let found = steps(
        "jobs:\n  a:\n    steps:\n      - run: |\n          # twine upload dist/*\n          uv publish --dry-run\n          cargo publish --dry-run\n",
    );
    assert!(found.is_empty());
}

#[test]
fn release_plz_exchanges_the_token_itself_unless_a_token_is_set() {
    let tp = steps(
        "jobs:\n  r:\n    permissions: {id-token: write}\n    steps:\n      - uses: release-plz/action@v0.5\n        with: {command: release}\n",
    );
    assert_eq!(kinds(&tp), [(Tool::ReleasePlz, CRATES, true)]);
    assert!(tp[0].package.workspace);
    let stored = steps(
        "jobs:\n  r:\n    steps:\n      - uses: release-plz/action@v0.5\n        env:\n          CARGO_REGISTRY_TOKEN: ${{ secrets.CARGO_REGISTRY_TOKEN }}\n",
    );
    assert_eq!(kinds(&stored), [(Tool::ReleasePlz, CRATES, false)]);
    let pr_only = steps(
        "jobs:\n  r:\n    steps:\n      - uses: release-plz/action@v0.5\n        with: {command: release-pr}\n",
    );
    assert!(pr_only.is_empty());
}

#[test]
fn the_auth_actions_token_makes_any_consumer_trusted() {
    let cargo = steps(
        "jobs:\n  p:\n    steps:\n      - uses: rust-lang/crates-io-auth-action@v1\n        id: auth\n      - run: cargo publish -p widget\n        env:\n          CARGO_REGISTRY_TOKEN: ${{ steps.auth.outputs.token }}\n",
    );
    assert_eq!(kinds(&cargo), [(Tool::Cargo, CRATES, true)]);
    assert_eq!(cargo[0].package.names, ["widget"]);
    let plz = steps(
        "jobs:\n  p:\n    steps:\n      - uses: rust-lang/crates-io-auth-action@v1\n        id: auth\n      - uses: release-plz/action@v0.5\n        env:\n          CARGO_REGISTRY_TOKEN: ${{ steps.auth.outputs.token }}\n",
    );
    assert_eq!(kinds(&plz), [(Tool::ReleasePlz, CRATES, true)]);
    // A token nothing recognised uses: the exchange is the site.
    let alone = steps(
        "jobs:\n  p:\n    steps:\n      - uses: rust-lang/crates-io-auth-action@v1\n        id: auth\n      - run: ./scripts/publish.sh\n        env:\n          TOKEN: ${{ steps.auth.outputs.token }}\n",
    );
    assert_eq!(kinds(&alone), [(Tool::CratesIoAuth, CRATES, true)]);
}

#[test]
fn pnpm_and_changesets_publish_to_npm() {
    let pnpm = steps(
        "jobs:\n  p:\n    steps:\n      - run: pnpm -r publish --access public --no-git-checks\n",
    );
    assert_eq!(kinds(&pnpm), [(Tool::Pnpm, NPM, true)]);
    assert!(pnpm[0].package.workspace);
    let files = Fake {
        files: vec![(
            "package.json",
            r#"{"scripts": {"release": "pnpm build && changeset publish"}}"#,
        )],
        ..Fake::default()
    };
    let cs = steps_in(
        "jobs:\n  p:\n    steps:\n      - uses: changesets/action@v1\n        with:\n          publish: pnpm release\n",
        &files,
    );
    assert_eq!(kinds(&cs), [(Tool::Changesets, NPM, true)]);
    let script = steps_in(
        "jobs:\n  p:\n    steps:\n      - run: pnpm install\n      - run: npm run release\n",
        &files,
    );
    assert_eq!(kinds(&script), [(Tool::Changesets, NPM, true)]);
}

#[test]
fn an_npmrc_token_written_earlier_is_a_stored_credential() {
    let found = steps(
        "jobs:\n  p:\n    steps:\n      - run: echo \"//registry.npmjs.org/:_authToken=${NPM_TOKEN}\" > ~/.npmrc\n        env:\n          NPM_TOKEN: ${{ secrets.NPM_TOKEN }}\n      - run: npm publish\n",
    );
    assert_eq!(kinds(&found), [(Tool::Npm, NPM, false)]);
    let Auth::Stored { what, .. } = &found[0].auth else {
        unreachable!()
    };
    assert!(what.contains(".npmrc"), "{what}");
}

#[test]
fn npm_needs_a_new_enough_cli_and_the_public_registry() {
    let old = steps(
        "jobs:\n  p:\n    steps:\n      - uses: actions/setup-node@v4\n        with: {node-version: 22, registry-url: 'https://registry.npmjs.org'}\n      - run: npm publish --provenance\n",
    );
    assert_eq!(kinds(&old), [(Tool::Npm, NPM, false)]);
    let upgraded = steps(
        "jobs:\n  p:\n    steps:\n      - uses: actions/setup-node@v4\n        with: {node-version: 22}\n      - run: npm install -g npm@latest\n      - run: npm publish\n",
    );
    assert_eq!(kinds(&upgraded), [(Tool::Npm, NPM, true)]);
    let github = steps(
        "jobs:\n  p:\n    steps:\n      - uses: actions/setup-node@v4\n        with: {node-version: 24, registry-url: 'https://npm.pkg.github.com'}\n      - run: npm publish\n        env:\n          NODE_AUTH_TOKEN: ${{ secrets.GITHUB_TOKEN }}\n",
    );
    assert!(matches!(github[0].target, Target::Other(_)));
}

#[test]
fn nuget_login_key_through_env_and_source_from_env() {
    let found = steps(
        "env:\n  NUGET_SOURCE: https://api.nuget.org/v3/index.json\njobs:\n  p:\n    steps:\n      - uses: NuGet/login@v1\n        id: login\n        with: {user: octo-bot}\n      - run: dotnet nuget push out/*.nupkg --api-key $NUGET_API_KEY --source $NUGET_SOURCE\n        env:\n          NUGET_API_KEY: ${{ steps.login.outputs.NUGET_API_KEY }}\n",
    );
    assert_eq!(
        kinds(&found),
        [(Tool::NuGet, Target::Registry(Registry::NuGet), true)]
    );
    let stored = steps(
        "jobs:\n  p:\n    steps:\n      - run: dotnet nuget push x.nupkg -k ${{ secrets.NUGET_KEY }} -s https://api.nuget.org/v3/index.json\n",
    );
    assert!(!matches!(stored[0].auth, Auth::TrustedPublishing));
}

#[test]
fn rubygems_release_gem_and_configure_then_push() {
    let found = steps(
        "jobs:\n  a:\n    steps:\n      - uses: rubygems/release-gem@v1\n  b:\n    steps:\n      - uses: rubygems/configure-rubygems-credentials@v1\n      - run: gem push pkg/*.gem\n  c:\n    steps:\n      - run: gem push x.gem\n        env:\n          GEM_HOST_API_KEY: ${{ secrets.RUBYGEMS_API_KEY }}\n",
    );
    let g = Target::Registry(Registry::RubyGems);
    assert_eq!(
        kinds(&found),
        [
            (Tool::ReleaseGem, g.clone(), true),
            (Tool::Gem, g.clone(), true),
            (Tool::Gem, g, false)
        ]
    );
}

#[test]
fn a_publishing_step_inside_a_local_composite_action_is_found_with_its_own_span() {
    let action = Action::parse(
        "./.github/actions/publish",
        crate::source::SourceFile::new(
            ".github/actions/publish/action.yml",
            "inputs:\n  dir:\n    default: pkg\nruns:\n  using: composite\n  steps:\n    - run: npm publish\n      shell: bash\n      working-directory: ${{ inputs.dir }}\n",
        ),
    )
    .unwrap();
    let files = Fake {
        actions: vec![action],
        ..Fake::default()
    };
    let found = steps_in(
        "jobs:\n  p:\n    steps:\n      - uses: actions/checkout@v4\n      - uses: ./.github/actions/publish\n        with: {dir: packages/web}\n",
        &files,
    );
    assert_eq!(kinds(&found), [(Tool::Npm, NPM, true)]);
    assert_eq!(
        found[0].action.as_deref(),
        Some("./.github/actions/publish")
    );
    assert_eq!(found[0].step_index, 1);
    assert_eq!((found[0].span.line, found[0].span.column), (7, 12));
    assert_eq!(found[0].package.dirs, ["packages/web"]);
}

#[test]
fn a_composite_action_that_uses_itself_is_followed_once() {
    let action = Action::parse(
        "./a",
        crate::source::SourceFile::new(
            "a/action.yml",
            "runs:\n  using: composite\n  steps:\n    - uses: ./a\n    - run: twine upload dist/*\n      shell: bash\n",
        ),
    )
    .unwrap();
    let files = Fake {
        actions: vec![action],
        ..Fake::default()
    };
    let found = steps_in("jobs:\n  p:\n    steps:\n      - uses: ./a\n", &files);
    assert_eq!(found.len(), 1);
}

#[test]
fn python_build_folders_come_from_the_build_jobs() {
    let found = steps(
        "jobs:\n  build:\n    steps:\n      - uses: PyO3/maturin-action@v1\n        with:\n          command: build\n          args: --release -m crates/pyo3/Cargo.toml\n  publish:\n    needs: [build]\n    steps:\n      - uses: pypa/gh-action-pypi-publish@release/v1\n",
    );
    assert_eq!(found[0].package.dirs, ["crates/pyo3"]);
}
