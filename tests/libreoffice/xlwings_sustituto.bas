Attribute VB_Name = "xlwings"
' Sustituto de xlwings.bas para pruebas en LibreOffice (el real no compila ahí).
' RunPython solo anota el comando recibido en la celda D1 de la hoja PEA_meta.
Option Explicit

Public Function RunPython(PythonCommand As String)
    ThisWorkbook.Worksheets("PEA_meta").Range("D1").Value = PythonCommand
End Function
