// The scripts `berth completion bash|zsh|fish` prints. Each is a thin layer over
// `berth __complete WORD... CUR` (engine.ts): the shell hands over the words typed so far and
// shows what comes back, so commands, flags and the daemon's names are always current. The
// last line of the answer is ":<directive>": 1 error, 2 no space after the word, 4 no file names.

export type Shell = 'bash' | 'zsh' | 'fish';
export const shells: readonly Shell[] = ['bash', 'zsh', 'fish'];

export function completionScript(shell: Shell, prog: string, options: { descriptions: boolean }): string {
  switch (shell) {
    case 'bash':
      return bash(prog);
    case 'zsh':
      return zsh(prog, options.descriptions);
    case 'fish':
      return fish(prog, options.descriptions);
  }
}

function bash(prog: string): string {
  const fn = `__${prog.replace(/\W/g, '_')}_complete`;
  return `# bash completion for ${prog}                                  -*- shell-script -*-
#
# Load it into this shell:             source <(${prog} completion bash)
# or for every shell, as docker's is:  ${prog} completion bash > /etc/bash_completion.d/${prog}
#
# The candidates come from \`${prog} __complete\`: commands, flags, and the names of the daemon's
# containers, images, networks and volumes, and of the contexts, as they are at the <TAB>.

${fn}() {
    # The words up to the cursor, split at blanks only (bash's COMP_WORDS also splits at ':' and
    # '=', which image names and --flag=value contain).
    local line=\${COMP_LINE:0:COMP_POINT}
    local -a words
    read -r -a words <<< "$line"
    local cur=""
    if [[ $line != *[[:space:]] ]] && (( \${#words[@]} > 1 )); then
        cur=\${words[\${#words[@]}-1]}
        unset 'words[\${#words[@]}-1]'
    fi
    local out
    out=$("\${words[0]}" __complete "\${words[@]:1}" "$cur" 2>/dev/null) || return 0
    local directive=\${out##*:}
    out=\${out%:*}
    [[ $directive =~ ^[0-9]+$ ]] || directive=0
    (( directive & 1 )) && return 0
    # bash replaces only the part of the word after its last ':' or '=': offer that part
    local prefix="" wb part
    for wb in : =; do
        if [[ $COMP_WORDBREAKS == *"$wb"* && $cur == *"$wb"* ]]; then
            part=\${cur%"\${cur##*"$wb"}"}
            (( \${#part} > \${#prefix} )) && prefix=$part
        fi
    done
    COMPREPLY=()
    local c
    while IFS= read -r c; do
        [[ -n $c ]] || continue
        c=\${c%%$'\\t'*}
        COMPREPLY+=("\${c#"$prefix"}")
    done <<< "$out"
    (( directive & 2 )) && compopt -o nospace 2>/dev/null
    (( directive & 4 )) && compopt +o default 2>/dev/null
    return 0
}

complete -o default -F ${fn} ${prog}
`;
}

function zsh(prog: string, descriptions: boolean): string {
  const fn = `_${prog.replace(/\W/g, '_')}`;
  return `#compdef ${prog}
# zsh completion for ${prog}.
#
# Load it into this shell:  source <(${prog} completion zsh)
# or for every shell:       ${prog} completion zsh > "\${fpath[1]}/_${prog}"
#
# The candidates come from \`${prog} __complete\`: commands, flags, and the names of the daemon's
# containers, images, networks and volumes, and of the contexts, as they are at the <TAB>.

${fn}() {
    local out directive line word desc
    local -a lines candidates nospace
    out=$("\${words[1]}" __complete "\${(@)words[2,CURRENT-1]}" "\${words[CURRENT]}" 2>/dev/null) || return 1
    lines=("\${(@f)out}")
    directive=\${lines[-1]#:}
    [[ $directive == <-> ]] || directive=0
    (( directive & 1 )) && return 1
    for line in "\${(@)lines[1,-2]}"; do
        [[ -n $line ]] || continue
        word=\${line%%$'\\t'*}
        desc=
        ${descriptions ? "[[ $line == *$'\\t'* ]] && desc=${line#*$'\\t'}" : ': no descriptions'}
        candidates+=("\${word//:/\\\\:}\${desc:+:$desc}")
    done
    (( directive & 2 )) && nospace=(-S '')
    if (( \${#candidates} )); then
        _describe -t ${prog} '${prog}' candidates "\${nospace[@]}"
    elif (( ! (directive & 4) )); then
        _files
    fi
}

if [[ \${zsh_eval_context[-1]} == loadautofunc ]]; then
    ${fn} "$@"
else
    compdef ${fn} ${prog}
fi
`;
}

function fish(prog: string, descriptions: boolean): string {
  const fn = `__${prog.replace(/\W/g, '_')}_complete`;
  return `# fish completion for ${prog}.
#
# Load it into this shell:  ${prog} completion fish | source
# or for every shell:       ${prog} completion fish > ~/.config/fish/completions/${prog}.fish
#
# The candidates come from \`${prog} __complete\`: commands, flags, and the names of the daemon's
# containers, images, networks and volumes, and of the contexts, as they are at the <TAB>.

function ${fn}
    set -l tokens (commandline -opc)
    set -l cur (commandline -ct)
    set -l program $tokens[1]
    set -e tokens[1]
    set -l out ($program __complete $tokens $cur 2>/dev/null)
    or return
    test (count $out) -gt 0; or return
    set -l directive (string replace -r '^:' '' -- $out[-1])
    set -e out[-1]
    string match -qr '^[0-9]+$' -- $directive; or set directive 0
    test (math "$directive % 2") -eq 1; and return
    if test (count $out) -gt 0
        ${descriptions ? 'printf \'%s\\n\' $out' : "string replace -r '\\t.*' '' -- $out"}
    else if test (math "floor($directive / 4) % 2") -eq 0
        __fish_complete_path $cur
    end
end

complete -c ${prog} -f -a '(${fn})'
`;
}
