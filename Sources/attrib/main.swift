import AttribCLI

AttribCommand.main()
