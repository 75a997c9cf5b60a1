# Shell completions, installed where bash-completion and zsh look for
# them (configure: --with-bash-completion-dir, --with-zsh-completion-dir).
# bash-completion loads a command's file by the command's name.
bashcompletiondir = $(BASH_COMPLETION_DIR)
dist_bashcompletion_DATA = data/completion/bash/manager
zshcompletiondir = $(ZSH_COMPLETION_DIR)
dist_zshcompletion_DATA = data/completion/zsh/_manager
