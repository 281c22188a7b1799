import AttribCLI
AttribCommand.main()
